using System.Collections.Concurrent;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Core.Storage;

namespace Engram.Agents.Pipeline;

/// <summary>
/// Notes when a session acts on what its context told it: a tool call (an edit, a read, a command) that touches
/// a file one of the session's injected memories is about marks that injection as acted on. Paths are compared
/// whole and absolute; a command counts when its text names the file by its path relative to the project.
/// </summary>
public sealed class ActedOnTracker(IInjectionLog log, IMemoryService memory)
{
    /// <summary>Memories whose files are kept in memory at once (a worker sees the same few dozen again and again).</summary>
    private const int MaxCached = 2_000;

    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _files = new(StringComparer.Ordinal);

    /// <summary>Marks the session's not yet acted-on injections whose memory is about one of <paramref name="touched"/> (absolute paths) or a file <paramref name="command"/> names.</summary>
    public async Task NoteAsync(string tenant, string? sessionId, string toolName, IReadOnlyList<string> touched, string? command, string? projectRoot,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(sessionId) || (touched.Count == 0 && string.IsNullOrEmpty(command))) return;
        var open = (await log.InjectionsForSessionAsync(tenant, sessionId, cancellationToken))
            .Where(i => i.ActedAt is null && i.InjectedAt <= at).Select(i => i.MemoryId).Distinct(StringComparer.Ordinal).ToList();
        if (open.Count == 0) return;
        var byPath = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var id in open)
        {
            foreach (var path in await FilesOfAsync(id, tenant, projectRoot, cancellationToken))
            {
                if (!byPath.TryGetValue(path, out var ids)) byPath[path] = ids = [];
                ids.Add(id);
            }
        }
        foreach (var (path, ids) in byPath)
        {
            if (!touched.Contains(path, StringComparer.Ordinal) && !(command is not null && Named(command, path, projectRoot))) continue;
            await log.MarkActedOnAsync(tenant, sessionId, ids, $"{toolName} {path}", at, cancellationToken);
        }
    }

    /// <summary>Whether a command line names the file by its path relative to the project root (a bare file name is too loose to count).</summary>
    private static bool Named(string command, string path, string? projectRoot)
    {
        if (command.Contains(path, StringComparison.Ordinal)) return true;
        if (projectRoot is null || !path.StartsWith(projectRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return false;
        var relative = path[(projectRoot.Length + 1)..];
        return relative.Contains(Path.DirectorySeparatorChar) && command.Contains(relative, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<string>> FilesOfAsync(string id, string tenant, string? projectRoot, CancellationToken cancellationToken)
    {
        if (_files.TryGetValue(id, out var cached)) return cached;
        var m = await memory.GetAsync(id, tenant, cancellationToken);
        IReadOnlyList<string> files = m is null ? [] : [.. Paths(m, projectRoot)];
        if (_files.Count >= MaxCached) _files.Clear();
        _files[id] = files;
        return files;
    }

    /// <summary>The absolute paths a memory is about: its recorded file states, and its files read or modified made absolute under the project root.</summary>
    private static IEnumerable<string> Paths(Memory m, string? projectRoot) =>
        m.FileStates.Select(f => f.Path)
            .Concat(m.FilesModified.Concat(m.FilesRead).Select(f => FileStateCapture.Absolute(f, projectRoot, null)).OfType<string>())
            .Where(Path.IsPathRooted)
            .Distinct(StringComparer.Ordinal);
}
