using System.Text.Json;
using Engram.Testing;
using Engram.Testing.ModelServers;
using Microsoft.Data.Sqlite;

namespace Engram.Cli.Tests.RealAgents;

/// <summary>The real agent CLIs start processes and a model server each: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealAgentCollection
{
    public const string Name = "real agent CLIs";
}

/// <summary>
/// End to end with a real agent CLI: a session that reads a file, runs a failing test, fixes the file and runs
/// the test again, then answers with a decision and a next step. Engram must capture every hook event, keep the
/// failure (with its error line) and its fix as memories, and put the work back in front of the model when a
/// later session starts, after a short session in between; the agent's model can also call Engram's MCP search.
/// Each agent's subclass says how that agent is driven and what it cannot do.
/// </summary>
[Collection(RealAgentCollection.Name)]
public abstract class RealAgentTests
{
    private const string Decision = "Decision: keep add() a plain sum with no offset.";
    private const string NextStep = "Next step: add tests for negative numbers.";

    internal abstract RealAgent CreateAgent();

    [Fact]
    public async Task A_real_session_is_remembered_and_comes_back_in_the_next_session()
    {
        await using var agent = CreateAgent();
        await agent.InstallAsync();

        var first = await agent.SessionAsync("node test.js fails. Fix add() in math.js.",
            agent.ReadFile("math.js"),
            agent.RunCommand("node test.js"),
            agent.EditFile("math.js", "a + b + 1", "a + b"),
            agent.RunCommand("node test.js"),
            ModelTurn.Say($"Fixed the off-by-one in add() in math.js. {Decision} {NextStep}"));
        Assert.True(first.ExitCode == 0, $"the first session failed: {first.Stderr}{first.Stdout}");
        Assert.Equal(0, agent.Model.TurnsLeft);
        Assert.Equal(CalculatorProject.FixedMath, await File.ReadAllTextAsync(Path.Combine(agent.Project, "math.js"), TestContext.Current.CancellationToken));
        // The tools really ran: the model was sent the failing assertion and then the passing run.
        Assert.Contains(agent.Model.Requests, r => r.Contains("AssertionError"));
        Assert.Contains(agent.Model.Requests, r => r.Contains("all tests passed"));

        // Every event whose hook the agent started must reach the queue, but one may land after the agent's process is
        // gone: capture hooks run asynchronously.
        var expected = agent.FirstSessionEventsStarted().Order(StringComparer.Ordinal).ToList();
        foreach (var skipped in agent.FirstSessionEvents.Except(expected)) TestContext.Current.TestOutputHelper?.WriteLine($"{agent.Name} never started its hook for {skipped}");
        await Eventually.HoldsAsync(async () =>
        {
            await ProcessAsync(agent);
            return QueueKinds(agent).Order(StringComparer.Ordinal).SequenceEqual(expected);
        }, "every event of the first session reaching the queue", () => Task.FromResult(CaptureState(agent, first)), TestContext.Current.CancellationToken);

        var memories = await ListAsync(agent);
        var failure = Assert.Single(memories, m => m.Type == "failure");
        Assert.Contains("node test.js", failure.Title, StringComparison.Ordinal);
        Assert.Contains("AssertionError [ERR_ASSERTION]: Expected values to be strictly equal", failure.Content, StringComparison.Ordinal);
        var fix = Assert.Single(memories, m => m.Type == "bugfix");
        Assert.Contains("fixed: node test.js now passes", fix.Title, StringComparison.Ordinal);
        Assert.Contains(memories, m => m.Type == "change" && m.Title.Contains("math.js", StringComparison.Ordinal));
        var summary = Assert.Single(memories, m => m.Kind == "summary");
        Assert.Contains(Decision, summary.Content, StringComparison.Ordinal);
        Assert.Contains("add tests for negative numbers", summary.Content, StringComparison.Ordinal);

        // A short session in between, with no next step of its own, must not hide the first one's.
        var between = await agent.SessionAsync("What does test.js check?", ModelTurn.Say("It checks that add(2, 2) is 4."));
        Assert.True(between.ExitCode == 0, $"the second session failed: {between.Stderr}{between.Stdout}");
        await ProcessAsync(agent);

        // The third session runs beside a worker, as sessions do once hooks have started one: the MCP server engram install
        // registers (the native engram-mcp) leaves the search to the worker.
        await agent.StartWorkerAsync();
        var seen = agent.Model.Requests.Count;
        var third = await agent.SessionAsync("Carry on where we left off.",
            agent.SearchMemories("AssertionError add"),
            ModelTurn.Say("The failure is fixed; negative numbers are next."));
        Assert.True(third.ExitCode == 0, $"the third session failed: {third.Stderr}{third.Stdout}");
        var requests = agent.Model.Requests.Skip(seen).ToList();
        var opening = requests.First(r => r.Contains("Carry on where we left off."));
        Assert.True(opening.Contains(agent.AsSentToModel("<engram-memory")), "the new session's first request carries no Engram context; requests: "
            + string.Join("; ", requests.Select(r => $"{r.PathAndQuery} ({r.Body.Length} chars, context: {r.Contains(agent.AsSentToModel("<engram-memory"))})")));
        Assert.True(opening.Contains(agent.AsSentToModel("math.js")), "the context does not name the edited file");
        Assert.True(opening.Contains(agent.AsSentToModel("fixed: node test.js now passes")), "the context does not say the failing test was fixed");
        Assert.True(opening.Contains(agent.AsSentToModel("keep add() a plain sum with no offset")), "the context does not carry the decision");
        Assert.True(opening.Contains(agent.AsSentToModel("add tests for negative numbers")), "the context does not carry the next step");
        // The MCP search ran in the worker and its answer went back to the model: it names the failure's ID.
        Assert.Contains(requests, r => r.Contains(failure.Id) && !ReferenceEquals(r, opening));
        Assert.Contains("answered an MCP tool call for engram-mcp (exit 0", agent.Engram.LogText(), StringComparison.Ordinal);
    }

    private static async Task ProcessAsync(RealAgent agent)
    {
        var result = await agent.Engram.RunAsync("process", "--json");
        Assert.True(result.ExitCode == 0, $"engram process failed: {result.Stderr}");
    }

    /// <summary>What a failed wait reports: the queue, what is left in the spool, the hooks' log, and what the agent printed (Claude Code reports a failed SessionEnd hook there).</summary>
    private static string CaptureState(RealAgent agent, AgentCliResult session)
    {
        var spool = Path.Combine(agent.Engram.Home, "spool");
        var logs = Path.Combine(agent.Engram.Home, "logs");
        var left = Directory.Exists(spool) ? Directory.GetFiles(spool, "*", SearchOption.AllDirectories).Select(Path.GetFileName) : [];
        var log = Directory.Exists(logs) ? string.Join("", Directory.GetFiles(logs).Select(File.ReadAllText)) : "";
        return $"queue: {string.Join(", ", QueueKinds(agent))}; spool: {string.Join(", ", left)}; log: {log}; agent's stderr: {session.Stderr}";
    }

    /// <summary>The kinds (agent/event) of every event the hooks delivered to Engram's queue.</summary>
    private static List<string> QueueKinds(RealAgent agent)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(agent.Engram.Home, "engram.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind FROM queue ORDER BY seq";
        using var reader = command.ExecuteReader();
        var kinds = new List<string>();
        while (reader.Read()) kinds.Add(reader.GetString(0));
        return kinds;
    }

    private sealed record Listed(string Id, string Kind, string Type, string Title, string Content);

    private static async Task<List<Listed>> ListAsync(RealAgent agent)
    {
        var result = await agent.Engram.RunAsync("list", "--limit", "100", "--json");
        Assert.True(result.ExitCode == 0, $"engram list failed: {result.Stderr}");
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.GetProperty("results").EnumerateArray().Select(m => new Listed(
            m.GetProperty("id").GetString()!,
            m.GetProperty("kind").GetString()!,
            m.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "",
            m.TryGetProperty("title", out var title) ? title.GetString() ?? "" : "",
            m.GetProperty("memory").GetString()!)).ToList();
    }
}

public sealed class ClaudeCodeRealTests : RealAgentTests
{
    internal override RealAgent CreateAgent() => new ClaudeCodeAgent();
}

public sealed class CodexRealTests : RealAgentTests
{
    internal override RealAgent CreateAgent() => new CodexAgent();
}

public sealed class GeminiRealTests : RealAgentTests
{
    internal override RealAgent CreateAgent() => new GeminiAgent();
}
