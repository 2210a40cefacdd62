using System.Globalization;
using System.Text;
using Engram.Agents.Capture;
using Engram.Core.Storage;

namespace Engram.Agents.Pipeline;

/// <summary>
/// Records which memories a session was given. A context built for a session is recorded where it is built
/// (the managed session-start hook, the HTTP hook); a context the native hook served from the
/// <see cref="ContextCache"/> is recorded by the worker when it processes that session-start event, from the
/// list of memories kept beside the ready context, when the hook's note says it printed exactly that version.
/// </summary>
public sealed class ContextInjections(IInjectionLog log, HookLog? hookLog = null)
{
    public const string SessionStartSource = "session-start";
    public const string CachedSource = "session-start-cached";
    public const string HttpHookSource = "hook-http";

    /// <summary>Where the records go (the worker also marks them as acted on).</summary>
    public IInjectionLog Log => log;

    /// <summary>Stores the memories of <paramref name="context"/> as given to <paramref name="sessionId"/> (nothing without a session or memories).</summary>
    public Task RecordAsync(SessionContext context, string tenant, string? sessionId, string contextId, string project, string source,
        DateTimeOffset at, CancellationToken cancellationToken) =>
        RecordAsync(context.Memories, tenant, sessionId, contextId, project, source, at, cancellationToken);

    private Task RecordAsync(IReadOnlyList<InjectedMemory> memories, string tenant, string? sessionId, string contextId, string project, string source,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(sessionId) || memories.Count == 0) return Task.CompletedTask;
        var records = memories.Select(m => new InjectionRecord
        {
            Tenant = tenant,
            SessionId = sessionId,
            ContextId = contextId,
            Project = project,
            MemoryId = m.MemoryId,
            Rank = m.Rank,
            Reason = m.Reason,
            Detail = m.Detail,
            Tokens = m.Tokens,
            Source = source,
            InjectedAt = at,
        }).ToList();
        return log.RecordInjectionsAsync(records, cancellationToken);
    }

    /// <summary>
    /// The worker's part: if the native hook served the ready context for this session-start event, record the
    /// memories of that context. A context rebuilt since (its digest differs) is not guessed at.
    /// </summary>
    public async Task RecordServedAsync(ContextCache cache, CapturedEvent captured, string tenant, string projectKey, CancellationToken cancellationToken)
    {
        if (cache.TakeServed(captured.Id) is not { } digest) return;
        if (ReadReady(cache, projectKey) is not { } ready || ready.Digest != digest)
        {
            hookLog?.Error("injections", $"the ready context served for session-start {captured.Id} was rebuilt before the worker recorded it; which memories it gave is not recorded");
            return;
        }
        await RecordAsync(ready.Memories, tenant, captured.Read.SessionId, captured.Id, projectKey, CachedSource, captured.CapturedAt, cancellationToken);
    }

    /// <summary>
    /// Keeps the memories of a ready context beside it: written before the context itself, so a served context
    /// never has an older list. Lines: project key, digest of the hook output, then one memory per line.
    /// </summary>
    public static void WriteReady(ContextCache cache, string projectKey, byte[] output, SessionContext context)
    {
        var text = new StringBuilder();
        text.Append(projectKey).Append('\n').Append(ContextCache.Digest(output)).Append('\n');
        foreach (var m in context.Memories)
        {
            text.Append(CultureInfo.InvariantCulture, $"{m.MemoryId}\t{m.Rank}\t{m.Reason}\t{m.Tokens}\t{OneLine(m.Detail)}\n");
        }
        var path = cache.InjectedFileFor(projectKey);
        Core.OwnerOnly.CreateDirectory(cache.Folder);
        var temp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, text.ToString());
        File.Move(temp, path, overwrite: true);
    }

    private static (string Digest, List<InjectedMemory> Memories)? ReadReady(ContextCache cache, string projectKey)
    {
        var path = cache.InjectedFileFor(projectKey);
        if (!File.Exists(path)) return null;
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2 || lines[0] != projectKey) return null;
        var memories = new List<InjectedMemory>();
        foreach (var line in lines.Skip(2))
        {
            var f = line.Split('\t');
            if (f.Length != 5) return null;
            memories.Add(new InjectedMemory(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), f[2], f[4], int.Parse(f[3], CultureInfo.InvariantCulture)));
        }
        return (lines[1], memories);
    }

    private static string OneLine(string text) => text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
