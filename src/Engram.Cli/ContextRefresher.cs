using Engram.Agents.Capture;
using Engram.Core.Model;
using Engram.Core.Storage;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>
/// Keeps the <see cref="ContextCache"/> current for the worker: when the store's change feed moves (a
/// processed event, <c>engram add</c>, an MCP <c>remember</c>, from any process), the contexts of the
/// projects it touched are rebuilt; a change outside any project (an explicit user memory) rebuilds all.
/// The first pass after the worker starts rebuilds every cached project, since anything may have changed
/// while no worker ran. A project is also rebuilt when a file its context was checked against changed
/// (a stat per watched file each pass), so "possibly stale" marks follow edits without any store change.
/// </summary>
internal sealed class ContextRefresher(EngramRuntime runtime, HookLog log)
{
    private const int MaxChangesRead = 500;
    private readonly ContextCache _cache = new(runtime.Home.Root);
    private long _seen = -1;

    public ContextCache Cache => _cache;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (runtime.Store is not IChangeFeed feed) return;
        var latest = await feed.LatestChangeSeqAsync(cancellationToken);
        HashSet<string>? touched = null; // null: every project
        if (latest == _seen) touched = [];
        else if (_seen >= 0 && latest - _seen <= MaxChangesRead)
        {
            touched = [];
            foreach (var change in await feed.ReadChangesAsync(_seen, MaxChangesRead, cancellationToken))
            {
                if (change.Entry.Scope.Tenant != MemoryScope.DefaultTenant) continue;
                if (change.Entry.Scope.Project.Length == 0)
                {
                    touched = null;
                    break;
                }
                touched.Add(change.Entry.Scope.Project);
            }
        }
        foreach (var (projectKey, cwd) in _cache.Entries())
        {
            if (touched is not null && !touched.Contains(projectKey) && !_cache.WatchedFilesChanged(projectKey)) continue;
            try
            {
                // The branch comes from the folder the context was first asked for, when it still exists.
                var folder = Directory.Exists(cwd) ? cwd : null;
                var context = await AgentRuntime.BuiltContextAsync(runtime, folder ?? Environment.CurrentDirectory, projectKey, cancellationToken, branchFrom: folder);
                _cache.Write(projectKey, cwd, SessionStart.Render(context.Text), context.WatchedFiles);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.Error("context", $"could not rebuild the session-start context of {projectKey}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        _seen = latest;
    }
}
