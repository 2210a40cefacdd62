using System.Text;
using System.Text.Json.Nodes;
using Engram.Agents.Capture;
using Engram.Agents.Pipeline;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Sqlite;

namespace Engram.Agents.Tests.Pipeline;

/// <summary>
/// Replays recorded hook events (Data/replay-20-sessions.jsonl: twenty sessions of work on one shop
/// project, with the same lint failure and test runs in each) through the real pipeline: spool, queue,
/// compressor, worker, SQLite. The agent's edits are applied to real files in a git repository first,
/// as they would be when the hook fires.
/// </summary>
internal sealed class SessionReplay : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("engram-replay-").FullName;

    private SessionReplay(bool consolidate, bool trackUse)
    {
        Repo = Git.Init(Path.Combine(_folder, "shop"), "https://github.com/acme/shop.git");
        Project = ProjectIdentity.Resolve(Repo).Key;
        Store = new SqliteMemoryStore(Path.Combine(_folder, "engram.db"));
        Service = new MemoryService(Store);
        var spool = new Spool(Path.Combine(_folder, "spool"));
        // With trackUse, the worker notes which injected memories the session's tool calls acted on.
        Runner = new PipelineRunner(Service, Store, spool, new HookLog(Path.Combine(_folder, "logs")), new PipelineOptions { Consolidate = consolidate },
            readyContexts: trackUse ? (Store.Injections, new ContextCache(_folder)) : null);
        Spool = spool;
    }

    public string Repo { get; }
    public string Project { get; }
    public SqliteMemoryStore Store { get; }
    public MemoryService Service { get; }
    private PipelineRunner Runner { get; }
    private Spool Spool { get; }

    /// <param name="beforeSession">Called before each session's first event, with its number and session id (after the previous session was processed).</param>
    public static async Task<SessionReplay> RunAsync(bool consolidate, Func<SessionReplay, int, string, Task>? beforeSession = null)
    {
        var replay = new SessionReplay(consolidate, trackUse: beforeSession is not null);
        await replay.Store.InitializeAsync();
        var lines = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "Data", "replay-20-sessions.jsonl"));
        var session = 0;
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            var record = JsonNode.Parse(line.Replace("{{repo}}", replay.Repo, StringComparison.Ordinal))!;
            var number = (int)record["session"]!;
            if (number != session)
            {
                await replay.Runner.DrainAsync(null, CancellationToken.None);
                session = number;
                if (beforeSession is not null) await beforeSession(replay, number, (string)record["payload"]!["session_id"]!);
            }
            var payload = record["payload"]!.AsObject();
            if ((string?)payload["tool_name"] == "Edit") replay.ApplyEdit(payload["tool_input"]!);
            replay.Spool.Write("claude-code", (string)record["event"]!, Encoding.UTF8.GetBytes(payload.ToJsonString()), DateTimeOffset.Parse((string)record["at"]!, System.Globalization.CultureInfo.InvariantCulture));
        }
        await replay.Runner.DrainAsync(null, CancellationToken.None);
        return replay;
    }

    /// <summary>What the agent did to the file before the hook fired: the first match replaced (the file made when missing).</summary>
    private void ApplyEdit(JsonNode input)
    {
        var path = (string)input["file_path"]!;
        var oldText = (string)input["old_string"]!;
        var newText = (string)input["new_string"]!;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = File.Exists(path) ? File.ReadAllText(path) : $"// {Path.GetFileName(path)}\n{oldText}\n";
        var at = text.IndexOf(oldText, StringComparison.Ordinal);
        File.WriteAllText(path, at < 0 ? text + newText + "\n" : text[..at] + newText + text[(at + oldText.Length)..]);
    }

    /// <summary>Observation rows of the project: every one (superseded too), and the current ones.</summary>
    public async Task<(int All, int Current)> CountObservationsAsync()
    {
        var filter = new MemoryFilter { Project = Project, Kinds = [MemoryKind.Observation] };
        var all = await Service.ListAsync(filter with { IncludeSuperseded = true }).CountAsync();
        var current = await Service.ListAsync(filter).CountAsync();
        return (all, current);
    }

    public async Task<string> ContextAsync() => (await new SessionContextBuilder(Service).BuildAsync(new ContextRequest { ProjectKey = Project })).Text;

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
