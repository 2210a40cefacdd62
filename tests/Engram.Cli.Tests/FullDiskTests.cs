using System.Diagnostics;
using System.Text.Json;
using Engram.Agents.Capture;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// A full disk, for real: ENGRAM_HOME on a 4 MB tmpfs filled to the last byte. Needs root to mount;
/// elsewhere the test says so in its output and checks nothing (CI runs as root).
/// </summary>
public sealed class FullDiskTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();
    private string? _mount;

    public void Dispose()
    {
        if (_mount is not null) Run("umount", "-l", _mount);
        _folder.Dispose();
    }

    private static int Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private static void Fill(string folder)
    {
        var chunk = new byte[64 * 1024];
        for (var i = 0; ; i++)
        {
            try
            {
                using var stream = new FileStream(Path.Combine(folder, $"filler-{i}"), FileMode.CreateNew);
                while (true) stream.Write(chunk);
            }
            catch (IOException)
            {
                if (chunk.Length == 1) return;
                chunk = new byte[chunk.Length / 4]; // fill the last blocks with smaller writes
            }
        }
    }

    [Fact]
    public async Task A_full_disk_is_named_events_are_kept_in_memory_and_nothing_is_lost()
    {
        var mount = _folder.File("small-disk");
        Directory.CreateDirectory(mount);
        if (Environment.UserName != "root" || Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount) != 0)
        {
            output.WriteLine("SKIPPED: mounting a small tmpfs needs root; the full-disk test did not run");
            return;
        }
        _mount = mount;
        var home = Path.Combine(mount, "home");
        var engram = new EngramProcess(home);
        engram.Environment["ENGRAM_NO_WORKER"] = "1";
        var fallback = Spool.ForHome(home).FallbackFolder!;
        try
        {
            var repo = _folder.File("work/diskapp");
            Directory.CreateDirectory(repo);
            var session = new ClaudeCodeSession("disk-session", repo);
            Assert.Equal(0, (await engram.RunAsync("add", "The nightly backup goes to the tape library")).ExitCode);

            var filler = Path.Combine(mount, "filler");
            Directory.CreateDirectory(filler);
            Fill(filler);

            var add = await engram.RunAsync("add", "This one cannot be written");
            Assert.Equal(1, add.ExitCode);
            Assert.Contains("disk", add.Stderr, StringComparison.Ordinal);
            Assert.Contains("full", add.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("rollback", add.Stderr, StringComparison.Ordinal);

            var search = await engram.RunAsync("search", "where does the backup go", "--json");
            Assert.True(search.ExitCode == 0, search.Stderr);
            Assert.Contains("tape library", search.Stdout, StringComparison.Ordinal);

            var hook = await engram.RunWithInputAsync(session.Edit("src/kept_in_memory.py", "a = 1", "a = 2"), "hook", "claude-code", "post-tool-use");
            Assert.Equal(0, hook.ExitCode);
            Assert.Equal("", hook.Stdout);
            Assert.Single(Directory.EnumerateFiles(fallback, "*.event.json"));
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(home, "spool"), "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));

            var doctor = await engram.RunAsync("doctor");
            Assert.Contains("kept in memory", doctor.Stdout, StringComparison.Ordinal);
            Assert.Contains("the disk is full", doctor.Stdout, StringComparison.Ordinal);

            Directory.Delete(filler, recursive: true);
            var process = await engram.RunAsync("process");
            Assert.True(process.ExitCode == 0, process.Stderr);
            Assert.Empty(Directory.EnumerateFiles(fallback, "*.event.json"));
            var list = await engram.RunAsync("list", "--json");
            using var memories = JsonDocument.Parse(list.Stdout);
            Assert.Contains(memories.RootElement.GetProperty("results").EnumerateArray(),
                m => m.GetProperty("content").GetString()!.Contains("kept_in_memory.py", StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(Path.GetDirectoryName(fallback))) Directory.Delete(Path.GetDirectoryName(fallback)!, recursive: true);
        }
    }
}
