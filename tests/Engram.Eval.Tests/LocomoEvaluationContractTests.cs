using System.Text;
using Engram.Core.Model;

namespace Engram.Eval.Tests;

/// <summary>What the runner sends to a memory service and how it reads what comes back.</summary>
public sealed class LocomoEvaluationContractTests
{
    private static LocomoDataset Parse(string json) =>
        LocomoDataset.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.json");

    [Fact]
    public async Task Adds_turns_only_and_searches_with_the_question_alone()
    {
        var data = Parse(MiniLocomo.Json);
        var service = new RecordingMemoryService();

        await LocomoEvaluation.RunAsync(data, _ => service, new LocomoOptions { Conversations = "0" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(7, service.Adds.Count);
        Assert.All(service.Adds, a =>
        {
            Assert.Equal(MemoryKind.Message, a.Kind);
            Assert.Empty(a.Messages);
            Assert.False(a.Infer);
            Assert.Equal("locomo-mini-1", a.Scope.UserId);
            Assert.StartsWith("session_", a.Scope.SessionId, StringComparison.Ordinal);
            Assert.Equal(a.Source.ExternalId, a.Metadata["dia_id"]);
        });
        var questions = data.Conversations[0].Questions.Where(q => q.Evidence.Count > 0).Select(q => q.Question).ToList();
        Assert.Equal(questions, service.Searches.Select(s => s.Query));
        Assert.All(service.Searches, s =>
        {
            Assert.False(s.RecordAccess);
            Assert.Equal(new MemoryFilter { UserId = "locomo-mini-1" }, s.Filter);
            Assert.Equal(50, s.Limit);
        });
    }

    [Fact]
    public async Task A_memory_made_from_several_turns_contributes_all_of_them_in_order()
    {
        // Two identical turns in one session become one memory (a duplicate); it stands for both ids.
        const string Json = """
        [{"sample_id": "dup", "conversation": {"session_1": [
            {"speaker": "A", "dia_id": "D1:1", "text": "ok"},
            {"speaker": "B", "dia_id": "D1:2", "text": "something else"},
            {"speaker": "A", "dia_id": "D1:3", "text": "ok"}]},
          "qa": [{"question": "q?", "evidence": ["D1:3"], "category": 4}]}]
        """;
        var service = new RecordingMemoryService();
        service.Rank = _ => [service.Memories.Single(m => m.Content == "ok"), service.Memories.Single(m => m.Content != "ok")];

        var report = await LocomoEvaluation.RunAsync(Parse(Json), _ => service, new LocomoOptions { Ks = [2, 3] }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["D1:1", "D1:3", "D1:2"], report.Results[0].Retrieved);
        Assert.Equal(2, report.Conversations[0].Memories);
        Assert.Equal(1.0, report.Overall.Frac(2));
    }

    [Fact]
    public async Task Memories_not_added_by_the_run_are_read_through_their_metadata_or_external_id()
    {
        const string Json = """
        [{"sample_id": "x", "conversation": {"session_1": [
            {"speaker": "A", "dia_id": "D1:1", "text": "one"}, {"speaker": "A", "dia_id": "D1:2", "text": "two"},
            {"speaker": "A", "dia_id": "D1:3", "text": "three"}]},
          "qa": [{"question": "q?", "evidence": ["D1:2", "D1:3"], "category": 1}]}]
        """;
        var now = DateTimeOffset.UnixEpoch;
        Memory Made(string id, IReadOnlyDictionary<string, string> metadata, string? external) => new()
        {
            Id = id, Kind = MemoryKind.Fact, Content = id, Metadata = metadata, Source = new MemorySource { ExternalId = external },
            CreatedAt = now, UpdatedAt = now, ValidFrom = now, ContentHash = id,
        };
        var service = new RecordingMemoryService
        {
            // A summary built from turns 3 and 2, then a fact that knows only its external id.
            Rank = _ =>
            [
                Made("summary", new Dictionary<string, string> { ["dia_id"] = "D1:3, D1:2" }, null),
                Made("fact", new Dictionary<string, string>(), "D1:1"),
            ],
        };

        var report = await LocomoEvaluation.RunAsync(Parse(Json), _ => service, new LocomoOptions { Ks = [2] }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["D1:3", "D1:2"], report.Results[0].Retrieved);
        Assert.Equal(1.0, report.Overall.All(2));
    }

    [Fact]
    public async Task The_limit_grows_until_the_hits_name_enough_distinct_ids()
    {
        const string Json = """
        [{"sample_id": "x", "conversation": {"session_1": [
            {"speaker": "A", "dia_id": "D1:1", "text": "one"}, {"speaker": "A", "dia_id": "D1:2", "text": "two"},
            {"speaker": "A", "dia_id": "D1:3", "text": "three"}, {"speaker": "A", "dia_id": "D1:4", "text": "four"}]},
          "qa": [{"question": "q?", "evidence": ["D1:4"], "category": 4}]}]
        """;
        var service = new RecordingMemoryService();
        // Six copies of the first memory's hit come before the others: 2 ids per 8 hits at first.
        service.Rank = _ => Enumerable.Repeat(service.Memories[0], 6).Concat(service.Memories.Skip(1)).ToList();

        var report = await LocomoEvaluation.RunAsync(Parse(Json), _ => service, new LocomoOptions { Ks = [1, 4] }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([4, 8, 16], service.Searches.Select(s => s.Limit));
        Assert.Equal(["D1:1", "D1:2", "D1:3", "D1:4"], report.Results[0].Retrieved);
        Assert.Equal(1.0, report.Overall.Frac(4));
    }
}
