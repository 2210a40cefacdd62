using Engram.Agents.Adapters;
using Engram.Agents.Capture;
using Engram.Core.Model;

namespace Engram.Agents.Worker;

/// <summary>
/// Keeps the <see cref="ContextCache"/> current for the worker: when the store's change feed moves (a
/// processed event, <c>engram add</c>, an MCP <c>remember</c>, from any process), the contexts of the
/// projects it touched are rebuilt; a change outside any project (an explicit user memory) rebuilds all.
/// The first pass after the worker starts rebuilds every cached project, since anything may have changed
/// while no worker ran. A project is also rebuilt when a file its context was checked against changed
/// (a stat per watched file each pass), so "possibly stale" marks follow edits without any store change.
/// </summary>
internal sealed class ContextRefresher(AgentServices agents, HookLog log)
{
    private const int MaxChangesRead = 500;
    private readonly ContextCache _cache = new(agents.HomeRoot);
    private long _seen = -1;
    private readonly HashSet<string> _tracked = new(StringComparer.Ordinal);

    /// <summary>
    /// A folder an agent with a context file (Cursor) works in: its project joins the cached ones, so its context
    /// (and the agent's file) is rebuilt now and whenever the project's memories change.
    /// </summary>
    public void Track(string cwd)
    {
        if (!Directory.Exists(cwd)) return;
        var project = ProjectIdentity.Resolve(cwd);
        if (!_cache.Entries().Any(e => e.ProjectKey == project.Key)) _cache.Write(project.Key, cwd, []);
        _tracked.Add(project.Key);
    }

    public ContextCache Cache => _cache;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var feed = agents.Store.Changes;
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
            if (touched is not null && !touched.Contains(projectKey) && !_tracked.Contains(projectKey) && !_cache.WatchedFilesChanged(projectKey)) continue;
            try
            {
                // The branch comes from the folder the context was first asked for, when it still exists.
                var folder = Directory.Exists(cwd) ? cwd : null;
                var context = await agents.BuildContextAsync(folder ?? Environment.CurrentDirectory, projectKey, cancellationToken, branchFrom: folder);
                SessionStartAnswer.KeepReady(_cache, projectKey, cwd, SessionStartOutput.Render(context.Text), context);
                if (folder is not null) WriteContextFiles(projectKey, folder, context.Text);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.Error("context", $"could not rebuild the session-start context of {projectKey}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        _seen = latest;
        _tracked.Clear();
    }

    /// <summary>
    /// Rewrites the context file of every agent that reads one (Cursor's rules file) when it changed: in projects where
    /// that agent sent events, or where the file already is; never in a project only another agent works in.
    /// </summary>
    private void WriteContextFiles(string projectKey, string cwd, string context)
    {
        var root = ProjectIdentity.Resolve(cwd).Root;
        foreach (var agent in AgentRegistry.All.OfType<IContextFileAdapter>())
        {
            if (agent.ContextFile(root) is not { } path || (!_tracked.Contains(projectKey) && !File.Exists(path))) continue;
            var content = agent.RenderContextFile(context);
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(content)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temp, content);
            File.Move(temp, path, overwrite: true);
        }
    }
}
