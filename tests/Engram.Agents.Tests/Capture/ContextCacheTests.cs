using System.Text;
using Engram.Agents.Capture;

namespace Engram.Agents.Tests.Capture;

/// <summary>When a ready session-start answer may be served, and when it must be built again.</summary>
public sealed class ContextCacheTests : IDisposable
{
    private readonly TempDirectory _home = new();
    private readonly ContextCache _cache;
    private readonly Spool _spool;

    public ContextCacheTests()
    {
        _cache = new ContextCache(_home.Path);
        _spool = new Spool(_home.CreateDirectory("spool"));
    }

    public void Dispose() => _home.Dispose();

    private static readonly byte[] Output = Encoding.UTF8.GetBytes("{\"hookSpecificOutput\":{}}\n");

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_ready_answer_is_served_while_the_worker_runs_and_is_owner_only()
    {
        _cache.Write("github.com/acme/shop", "/src/shop", Output);
        Assert.Equal(Output, _cache.TryReady("github.com/acme/shop", _spool, null, () => true));
        Assert.Null(_cache.TryReady("github.com/acme/other", _spool, null, () => true));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cache.FileFor("github.com/acme/shop")));
        Assert.Equal([("github.com/acme/shop", "/src/shop")], _cache.Entries());
    }

    [Fact]
    public void A_file_under_another_key_is_never_served()
    {
        // What a hash collision would look like: the file at this key's name holds another project.
        _cache.Write("github.com/acme/shop", "/src/shop", Output);
        File.Move(_cache.FileFor("github.com/acme/shop"), _cache.FileFor("github.com/acme/bank"));
        Assert.Null(_cache.TryReady("github.com/acme/bank", _spool, null, () => true));
    }

    [Fact]
    public void Pending_events_or_a_drain_in_progress_make_it_unready()
    {
        _cache.Write("k", "/src/k", Output);
        const string own = "01OWN";
        File.WriteAllText(Path.Combine(_spool.Folder, own + ".event.json"), "{}");
        Assert.NotNull(_cache.TryReady("k", _spool, own, () => true));
        File.WriteAllText(Path.Combine(_spool.Folder, "01OTHER.event.json"), "{}");
        Assert.Null(_cache.TryReady("k", _spool, own, () => true));
        File.Delete(Path.Combine(_spool.Folder, "01OTHER.event.json"));

        _cache.MarkBusy();
        Assert.Null(_cache.TryReady("k", _spool, own, () => true));
        _cache.ClearBusy();
        Assert.NotNull(_cache.TryReady("k", _spool, own, () => true));
    }

    [Fact]
    public void Without_a_worker_it_is_served_only_while_the_database_is_as_the_worker_left_it()
    {
        var database = _home.Combine("engram.db");
        File.WriteAllText(database, "db");
        _cache.Write("k", "/src/k", Output);
        Assert.Null(_cache.TryReady("k", _spool, null, () => false)); // no stamp yet

        _cache.WriteStamp(database);
        Assert.NotNull(_cache.TryReady("k", _spool, null, () => false));

        File.WriteAllText(database + "-wal", "a write since");
        Assert.Null(_cache.TryReady("k", _spool, null, () => false));
        Assert.NotNull(_cache.TryReady("k", _spool, null, () => true));
    }
}
