using System.Globalization;
using System.Text.Json.Nodes;
using Engram.Agents.Pipeline;
using Engram.Core.Model;

namespace Engram.Agents.Tests.Pipeline;

/// <summary>
/// The twenty replayed sessions again, now with a context built and recorded at each session start and the worker
/// noting which injected memories each session then acted on (a Read or Edit of, or a command naming, a file the
/// memory is about). Run twice: ranking without the record, and ranking with it (memories that earned their place
/// rise, ones given three times and never used fall). The figures go to docs/benchmarks.md.
/// </summary>
public sealed class EarnedPlaceReplayTests(ITestOutputHelper output)
{
    /// <summary>
    /// At the default budget (1,500 tokens) every candidate of this project fits, so ranking cannot change what is given;
    /// at 500 tokens it decides what is left out.
    /// </summary>
    [Theory]
    [InlineData(500)]
    [InlineData(1500)]
    public async Task Memories_that_earned_their_place_rise_and_the_sessions_act_on_more_of_what_they_are_given(int budget)
    {
        var plain = await ReplayAsync(useRanking: false, budget);
        var earned = await ReplayAsync(useRanking: true, budget);
        output.WriteLine($"budget {budget} tokens, without the record: {plain}");
        output.WriteLine($"budget {budget} tokens, with the record:    {earned}");

        // Both runs acted on what they were given, and the worker recorded it: the record is not empty.
        Assert.True(plain.ActedOn > 0 && earned.ActedOn > 0, $"{plain}; {earned}");
        // The ranking that learns from use gives the sessions at least as much of what they then worked on.
        Assert.True(earned.CoveredFiles >= plain.CoveredFiles, $"files the sessions touched that their context spoke of: {earned.CoveredFiles} with, {plain.CoveredFiles} without");
        Assert.True(earned.ActedOn >= plain.ActedOn, $"injections acted on: {earned.ActedOn} with, {plain.ActedOn} without");
    }

    private sealed record Outcome(int Injected, int ActedOn, int TouchedFiles, int CoveredFiles, int Tokens)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Injected} memories injected over 19 sessions ({Tokens} tokens), {ActedOn} acted on ({(double)ActedOn / Injected:P1}); " +
            $"{CoveredFiles} of the {TouchedFiles} files the sessions touched were spoken of in their context");
    }

    private static async Task<Outcome> ReplayAsync(bool useRanking, int budget)
    {
        var sessions = new List<(string Id, IReadOnlyList<string> Files)>();
        await using var replay = await SessionReplay.RunAsync(consolidate: true, async (r, number, sessionId) =>
        {
            var builder = new SessionContextBuilder(r.Service, useRanking ? r.Store.Injections : null);
            var context = await builder.BuildAsync(new ContextRequest { ProjectKey = r.Project, MaxTokens = budget });
            var at = DateTimeOffset.Parse(FirstEventTime(number), CultureInfo.InvariantCulture);
            await new ContextInjections(r.Store.Injections).RecordAsync(context, MemoryScope.DefaultTenant, sessionId, $"ctx-{number:00}", r.Project,
                ContextInjections.SessionStartSource, at.AddSeconds(-1), CancellationToken.None);
            // The files this session's memories (injected) are about, to tell which touched files the context spoke of.
            var files = new List<string>();
            foreach (var m in context.Memories)
            {
                if (await r.Service.GetAsync(m.MemoryId) is { } memory) files.AddRange(memory.FileStates.Select(f => f.Path).Concat(memory.FilesModified).Concat(memory.FilesRead));
            }
            sessions.Add((sessionId, files));
        });

        int injected = 0, acted = 0, tokens = 0, touched = 0, covered = 0;
        var touchedBySession = TouchedFiles(replay.Repo);
        foreach (var (id, spokenOf) in sessions)
        {
            var records = await replay.Store.Injections.InjectionsForSessionAsync(MemoryScope.DefaultTenant, id);
            injected += records.Count;
            tokens += records.Sum(r => r.Tokens);
            acted += records.Count(r => r.ActedAt is not null);
            foreach (var file in touchedBySession.GetValueOrDefault(id) ?? [])
            {
                touched++;
                var relative = Path.GetRelativePath(replay.Repo, file);
                if (spokenOf.Any(s => s == file || s == relative)) covered++;
            }
        }
        return new Outcome(injected, acted, touched, covered, tokens);
    }

    /// <summary>The files each session read or edited, from the recorded events.</summary>
    private static Dictionary<string, HashSet<string>> TouchedFiles(string repo)
    {
        var touched = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var record in Records(repo))
        {
            var payload = record["payload"]!;
            if ((string?)payload["tool_name"] is not ("Read" or "Edit")) continue;
            var session = (string)payload["session_id"]!;
            if (!touched.TryGetValue(session, out var files)) touched[session] = files = new HashSet<string>(StringComparer.Ordinal);
            files.Add((string)payload["tool_input"]!["file_path"]!);
        }
        return touched;
    }

    private static string FirstEventTime(int session) => (string)Records("").First(r => (int)r["session"]! == session)["at"]!;

    private static IEnumerable<JsonNode> Records(string repo) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "replay-20-sessions.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l.Replace("{{repo}}", repo, StringComparison.Ordinal))!);
}
