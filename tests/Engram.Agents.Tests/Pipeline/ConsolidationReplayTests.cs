using Engram.Core.Model;

namespace Engram.Agents.Tests.Pipeline;

/// <summary>Twenty sessions in one project: repeats merge into counted memories, and the context keeps what the work needs.</summary>
public sealed class ConsolidationReplayTests(ITestOutputHelper output)
{
    /// <summary>What the next session needs from the twenty before it: open work, decisions still in force, the failing test.</summary>
    private static readonly string[] Needed =
    [
        "build the approval screen for large refunds",
        "partial refunds are allowed down to one cent",
        "keep prices as whole cents",
        "dotnet test --filter RefundTests",
        "dotnet format --verify-no-changes",
    ];

    [Fact]
    public async Task Twenty_replayed_sessions_are_kept_in_fewer_memories_without_losing_what_the_next_session_needs()
    {
        await using var raw = await SessionReplay.RunAsync(consolidate: false);
        await using var merged = await SessionReplay.RunAsync(consolidate: true);
        var (rawAll, rawCurrent) = await raw.CountObservationsAsync();
        var (mergedAll, mergedCurrent) = await merged.CountObservationsAsync();
        var rawContext = await raw.ContextAsync();
        var mergedContext = await merged.ContextAsync();
        output.WriteLine($"observations without consolidation: {rawCurrent} current ({rawAll} rows); with consolidation: {mergedCurrent} current ({mergedAll} rows, the rest superseded)");
        output.WriteLine($"context: {rawContext.Length} characters without, {mergedContext.Length} with");
        output.WriteLine(mergedContext);

        // Every observation is still there, as a current memory or a superseded one with its history.
        Assert.Equal(rawAll, mergedAll);
        Assert.True(mergedCurrent * 10 <= rawCurrent * 7, $"{mergedCurrent} current observations after consolidation, {rawCurrent} before");
        foreach (var fact in Needed) Assert.Contains(fact, mergedContext, StringComparison.OrdinalIgnoreCase);

        // The test run that passed first time (14 of the 20 sessions; the other 6 failed first and are "fixed" bugfixes)
        // is one memory that counts the runs and holds the latest result.
        var runs = await merged.Service.ListAsync(new MemoryFilter { Project = merged.Project, Kinds = [MemoryKind.Observation] }, cancellationToken: TestContext.Current.CancellationToken).Where(m => m.Title == "passed: dotnet test").ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        var run = Assert.Single(runs);
        Assert.Equal(14, run.Occurrences);
        Assert.Contains("Passed: 60", run.Content, StringComparison.Ordinal);
        var previous = await merged.Service.ListAsync(new MemoryFilter { Project = merged.Project, Kinds = [MemoryKind.Observation], IncludeSuperseded = true }, cancellationToken: TestContext.Current.CancellationToken).Where(m => m.SupersededBy == run.Id).SingleAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HistoryEvent.Supersede, (await merged.Service.GetHistoryAsync(previous.Id, cancellationToken: TestContext.Current.CancellationToken))[^1].Event);
    }
}
