using System.Runtime.Versioning;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>Memories, logs and captured events are the user's alone: home 0700, files 0600, whatever the umask.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class HomePermissionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly UnixFileMode GroupOrOther = (UnixFileMode)0b000_111_111;

    private static List<string> OpenToOthers(string root) =>
        new[] { root }.Concat(Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
            .Where(p => (File.GetUnixFileMode(p) & GroupOrOther) != 0).ToList();

    [Fact]
    public async Task A_fresh_home_and_everything_in_it_is_owner_only()
    {
        var engram = new EngramProcess(_folder.File("fresh/home"));
        engram.Environment["ENGRAM_NO_WORKER"] = "1";
        var repo = _folder.File("work/app");
        Directory.CreateDirectory(repo);
        var session = new ClaudeCodeSession("perm-session", repo);
        Assert.Equal(0, (await engram.RunAsync("add", "a private fact")).ExitCode);
        Assert.Equal(0, (await engram.RunWithInputAsync(session.Edit("src/a.py", "a", "b"), "hook", "claude-code", "post-tool-use")).ExitCode);
        Assert.Equal(0, (await engram.RunWithInputAsync("not json", "hook", "claude-code", "stop")).ExitCode); // writes a log line
        Assert.Equal(0, (await engram.RunAsync("process")).ExitCode);

        Assert.True(File.Exists(Path.Combine(engram.Home, "engram.db")));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(engram.Home, "logs")));
        Assert.Empty(OpenToOthers(engram.Home));
        var doctor = await engram.RunAsync("doctor");
        Assert.Contains("readable by you only", doctor.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_home_an_older_version_left_open_is_reported_then_tightened()
    {
        var home = _folder.File("old/home");
        var engram = new EngramProcess(home);
        Assert.Equal(0, (await engram.RunAsync("add", "a private fact")).ExitCode);
        File.SetUnixFileMode(home, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(home, "engram.db"), (UnixFileMode)0b110_100_100);

        var doctor = await engram.RunAsync("doctor");
        Assert.Contains("readable by other users", doctor.Stdout + doctor.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await engram.RunAsync("list")).ExitCode);
        Assert.Empty(OpenToOthers(home));
    }
}
