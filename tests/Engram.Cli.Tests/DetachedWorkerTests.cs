using System.Diagnostics;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// The worker engram starts in the background outlives the command that started it, so it must not keep that
/// command's inherited files open: a lock its caller holds (as flock does) would stay held for the worker's life.
/// Real processes: flock holding a real lock file, engram add starting the detached worker.
/// </summary>
public sealed class DetachedWorkerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        foreach (var pid in WorkerPids()) WorkerProcesses.Kill(pid);
        _folder.Dispose();
    }

    private string Home => _folder.File("home");

    [Fact]
    public async Task The_worker_keeps_none_of_its_starters_inherited_files_open()
    {
        if (OperatingSystem.IsWindows()) return;
        var lockFile = _folder.File("held.lock");
        // flock opens the file without close-on-exec and holds its lock while engram add runs; add starts the worker.
        var engram = new EngramProcess(Home) { RunUnder = ["flock", lockFile] };
        engram.Environment["ENGRAM_NO_WORKER"] = "0";
        engram.Environment["ENGRAM_WORKER__IDLEMINUTES"] = "1";
        var add = await engram.RunAsync("add", "The release checklist lives in docs/release.md", "--no-infer");
        Assert.True(add.ExitCode == 0, add.Stderr);

        await Eventually.HoldsAsync(() => Task.FromResult(WorkerPids().Count > 0), "the detached worker running", TestContext.Current.CancellationToken);
        var open = WorkerPids().SelectMany(OpenFiles).ToList();
        Assert.DoesNotContain(lockFile, open);

        // flock and engram add have exited: the lock is free although the worker still runs.
        using var probe = Process.Start(new ProcessStartInfo("flock", ["-n", lockFile, "true"]) { UseShellExecute = false })!;
        await probe.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, probe.ExitCode);
        Assert.NotEmpty(WorkerPids());
    }

    private List<int> WorkerPids() => WorkerProcesses.Of(Home);

    private static List<string> OpenFiles(int pid)
    {
        var files = new List<string>();
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                if (new FileInfo(fd).LinkTarget is { } target) files.Add(target);
            }
        }
        catch (IOException)
        {
            // The worker ended meanwhile: it holds nothing.
        }
        return files;
    }
}
