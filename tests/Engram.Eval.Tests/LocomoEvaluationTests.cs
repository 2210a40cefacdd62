using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Sqlite;

namespace Engram.Eval.Tests;

/// <summary>The runner end to end over the real embedded service: MemoryService on a SQLite file.</summary>
public sealed class LocomoEvaluationTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<SqliteMemoryStore> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores) store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _folder.Dispose();
    }

    private MemoryService NewService(string name)
    {
        var store = new SqliteMemoryStore(_folder.File(name));
        _stores.Add(store);
        return new MemoryService(store);
    }

    [Fact]
    public async Task Scores_the_mini_dataset_through_sqlite_with_a_store_per_conversation()
    {
        var data = LocomoDataset.Load(MiniLocomo.Write(_folder));
        var services = new Dictionary<string, MemoryService>();
        var options = new LocomoOptions { Ks = [1, 5] };

        var report = await LocomoEvaluation.RunAsync(data, c => services[c.SampleId] = NewService(c.SampleId + ".db"), options, cancellationToken: TestContext.Current.CancellationToken);

        // 6 scored in mini-1 (two have no usable evidence), 1 in mini-2.
        Assert.Equal(7, report.Questions);
        Assert.Equal(2, report.Skipped);
        Assert.Equal(["mini-1", "mini-2"], report.Conversations.Select(c => c.SampleId));
        Assert.Equal([7, 2], report.Conversations.Select(c => c.Memories));

        // Plain lexical questions find their turn first.
        var byQuestion = report.Results.ToDictionary(r => (r.SampleId, r.QuestionIndex));
        Assert.Equal("D1:1", byQuestion[("mini-1", 0)].Retrieved[0]);
        Assert.Equal("D2:1", byQuestion[("mini-1", 1)].Retrieved[0]);
        Assert.Equal("D10:1", byQuestion[("mini-1", 3)].Retrieved[0]);
        Assert.Equal("D5:1", byQuestion[("mini-2", 0)].Retrieved[0]);
        Assert.All(report.Results, r => Assert.True(r.Retrieved.Count <= 5));
        Assert.All(report.Results, r => Assert.True(r.LatencyMs > 0));
        Assert.True(report.Overall.Frac(5) >= 0.85, report.ToTable());
        Assert.Equal(["single-hop", "multi-hop", "temporal", "open-domain", "adversarial"], report.Categories.Keys);
        Assert.Equal(["tune"], report.Splits.Select(s => s.Name));

        // Each turn became one message memory with its scope, time, metadata and source.
        var memories = await services["mini-1"].ListAsync(new MemoryFilter { UserId = "locomo-mini-1" }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(7, memories.Count);
        var corgi = Assert.Single(memories, m => m.Source.ExternalId == "D1:3");
        Assert.Equal(MemoryKind.Message, corgi.Kind);
        Assert.Equal(new MemoryScope { UserId = "locomo-mini-1", SessionId = "session_1" }, corgi.Scope);
        Assert.Equal("A corgi, here he is. [shares a small dog sitting near a lake]", corgi.Content);
        Assert.Equal("Ana", corgi.Metadata["speaker"]);
        Assert.Equal("D1:3", corgi.Metadata["dia_id"]);
        Assert.Equal(new DateTimeOffset(2023, 5, 8, 13, 56, 0, TimeSpan.Zero), corgi.ValidFrom);
        Assert.Equal("session_10", Assert.Single(memories, m => m.Source.ExternalId == "D10:1").Scope.SessionId);

        // Nothing but the turns was stored: no question, answer or evidence.
        var all = memories.Concat(await services["mini-2"].ListAsync(new MemoryFilter(), cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken)).ToList();
        Assert.Equal(9, all.Count);
        foreach (var question in data.Conversations.SelectMany(c => c.Questions))
        {
            Assert.DoesNotContain(all, m => m.Content.Contains(question.Question, StringComparison.OrdinalIgnoreCase));
        }
        Assert.DoesNotContain(all, m => m.Content.Contains("March 2023", StringComparison.Ordinal) || m.Content.Contains("violin and cello", StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_shared_service_keeps_conversations_in_separate_scopes_and_starts_each_afresh()
    {
        var data = LocomoDataset.Load(MiniLocomo.Write(_folder));
        var service = NewService("shared.db");
        var options = new LocomoOptions { Ks = [1, 50] };

        var first = await LocomoEvaluation.RunAsync(data, service, options, cancellationToken: TestContext.Current.CancellationToken);
        var second = await LocomoEvaluation.RunAsync(data, service, options, cancellationToken: TestContext.Current.CancellationToken);

        // The violin question of mini-2 never sees mini-1's violin turn (D2:1), and vice versa.
        var cy = Assert.Single(second.Results, r => r.SampleId == "mini-2");
        Assert.All(cy.Retrieved, id => Assert.StartsWith("D5:", id, StringComparison.Ordinal));
        Assert.All(second.Results.Where(r => r.SampleId == "mini-1"), r => Assert.DoesNotContain(r.Retrieved, id => id.StartsWith("D5:", StringComparison.Ordinal)));

        // A second run replaces the first one's memories instead of adding to them.
        Assert.Equal(7, await service.ListAsync(new MemoryFilter { UserId = "locomo-mini-1" }, cancellationToken: TestContext.Current.CancellationToken).CountAsync(cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(2, await service.ListAsync(new MemoryFilter { UserId = "locomo-mini-2" }, cancellationToken: TestContext.Current.CancellationToken).CountAsync(cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(first.Overall.Values, second.Overall.Values);
    }

    [Fact]
    public async Task Options_select_conversations_limit_questions_and_report_progress()
    {
        var data = LocomoDataset.Load(MiniLocomo.Write(_folder));
        var seen = new List<LocomoProgress>();
        var progress = new SynchronousProgress(seen.Add);

        var report = await LocomoEvaluation.RunAsync(data, _ => NewService(Guid.NewGuid().ToString("N") + ".db"), new LocomoOptions { Conversations = "0", Limit = 2, Ks = [3] }, progress, TestContext.Current.CancellationToken);

        Assert.Equal(2, report.Questions);
        Assert.Equal(["mini-1"], report.Conversations.Select(c => c.SampleId));
        Assert.Equal([0, 1], report.Results.Select(r => r.QuestionIndex));
        Assert.Contains(seen, p => p is { Phase: LocomoPhase.Loading, Completed: 7, Total: 7 });
        Assert.Equal(new LocomoProgress(0, 1, "mini-1", LocomoPhase.Done, 2, 2), seen[^1]);
        Assert.Equal("conversation 1/1 mini-1: done (2 questions)", seen[^1].ToString());
        Assert.Contains(seen, p => p.ToString() == "conversation 1/1 mini-1: loading 7/7 turns");

        await Assert.ThrowsAsync<EngramException>(() => LocomoEvaluation.RunAsync(data, _ => NewService("x.db"), new LocomoOptions { Conversations = "2" }, cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<EngramException>(() => LocomoEvaluation.RunAsync(data, _ => NewService("y.db"), new LocomoOptions { Limit = 0 }, cancellationToken: TestContext.Current.CancellationToken));
    }

    private sealed class SynchronousProgress(Action<LocomoProgress> report) : IProgress<LocomoProgress>
    {
        public void Report(LocomoProgress value) => report(value);
    }
}
