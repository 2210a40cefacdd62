using System.Text;
using Engram.Testing;

namespace Engram.Cli.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InstallScriptCollection
{
    /// <summary>install.sh compiles the whole CLI for this machine: it runs alone, so timing-sensitive tests keep their cores.</summary>
    public const string Name = "install.sh";
}

/// <summary>
/// The README's install, run as a user runs it: the real install.sh from this checkout into fresh folders, then
/// the installed <c>engram</c> (the native front on PATH) wiring Claude Code, checking itself, a hook starting the
/// worker, the worker answering one-shot commands, and install.sh run again while that worker runs.
/// </summary>
[Collection(InstallScriptCollection.Name)]
public sealed class InstallScriptTests : IDisposable
{
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(15);
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        foreach (var pid in WorkerProcesses.Of(Home)) WorkerProcesses.Kill(pid);
        _folder.Dispose();
    }

    private string Prefix => _folder.File("share/engram");
    private string Bin => _folder.File("bin");
    private string UserHome => _folder.File("user");
    private string Home => Path.Combine(UserHome, ".engram");
    private string Engram => Path.Combine(Bin, "engram");

    [Fact]
    public async Task Install_sh_gives_the_fast_layout_that_engram_install_wires_and_a_second_run_upgrades_under_a_running_worker()
    {
        if (OperatingSystem.IsWindows()) return;
        var first = await InstallAsync();
        Assert.True(first.ExitCode == 0, first.Stderr + first.Stdout);
        foreach (var file in new[] { "engram", "engram-hook", "engram-mcp", "engram-front", "mcp-answers.json" })
        {
            Assert.True(File.Exists(Path.Combine(Prefix, file)), $"install.sh left no {file} in {Prefix}");
        }
        Assert.Equal(Path.Combine(Prefix, "engram-front"), new FileInfo(Engram).LinkTarget);

        Directory.CreateDirectory(Path.Combine(UserHome, ".claude"));
        var wired = await RunAsync(Engram, ["install"]);
        Assert.True(wired.ExitCode == 0, wired.Stderr);
        var hooks = await File.ReadAllTextAsync(Path.Combine(UserHome, ".claude", "settings.json"), TestContext.Current.CancellationToken);
        Assert.Contains($"{Prefix}/engram-hook claude-code", hooks, StringComparison.Ordinal);
        Assert.Contains($"{Prefix}/engram-mcp", await File.ReadAllTextAsync(Path.Combine(UserHome, ".claude.json"), TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var doctor = await RunAsync(Engram, ["doctor"]);
        foreach (var check in new[] { "hook speed", "mcp speed", "engram speed", "command speed" })
        {
            var line = doctor.Stdout.Split('\n').SingleOrDefault(l => l.Contains(check, StringComparison.Ordinal));
            Assert.True(line is not null && line.StartsWith("ok", StringComparison.Ordinal), $"doctor's '{check}': {line ?? "missing"}\n{doctor.Stdout}");
        }

        // A prompt through the installed hook: spooled, and the worker it starts (the engram beside the hook) answers the front.
        var project = _folder.File("project");
        Directory.CreateDirectory(project);
        var prompt = $$"""{"session_id":"install-1","transcript_path":"","cwd":"{{project}}","hook_event_name":"UserPromptSubmit","prompt":"Deploys go through ops/deploy.sh"}""";
        var hooked = await RunAsync(Path.Combine(Prefix, "engram-hook"), ["claude-code", "user-prompt-submit"], prompt);
        Assert.True(hooked.ExitCode == 0, hooked.Stderr);
        await Eventually.HoldsAsync(() => File.Exists(Path.Combine(Home, "cli.sock")), "the worker the hook started listening", TestContext.Current.CancellationToken);
        var added = await RunAsync(Engram, ["add", "The staging database listens on port 6543", "--no-infer"]);
        Assert.True(added.ExitCode == 0, added.Stderr);
        Assert.Contains("answered by the running worker", added.Stderr, StringComparison.Ordinal);
        var worker = Assert.Single(WorkerProcesses.Of(Home));

        // Again, as an upgrade: the running worker keeps its files, and the new engram finds what the old one stored.
        var second = await InstallAsync();
        Assert.True(second.ExitCode == 0, second.Stderr + second.Stdout);
        Assert.False(Directory.Exists(Prefix + ".new") || Directory.Exists(Prefix + ".old"), "install.sh left its staging or old folder behind");
        Assert.Contains(worker, WorkerProcesses.Of(Home));
        var found = await RunAsync(Engram, ["search", "which port does staging use"]);
        Assert.True(found.ExitCode == 0, found.Stderr);
        Assert.Contains("6543", found.Stdout, StringComparison.Ordinal);
    }

    private Task<ProcessResult> InstallAsync()
    {
        var repository = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repository, "install.sh")) || !File.Exists(Path.Combine(repository, "Engram.slnx")))
        {
            repository = Path.GetDirectoryName(repository.TrimEnd('/')) ?? throw new InvalidOperationException("install.sh not found above the test's folder");
        }
        // The developer's HOME stays for dotnet itself (its package cache); only Engram's folders are fresh.
        return RunAsync("sh", [Path.Combine(repository, "install.sh")], environment: new()
        {
            ["ENGRAM_INSTALL_DIR"] = Prefix,
            ["ENGRAM_BIN_DIR"] = Bin,
            ["HOME"] = Environment.GetEnvironmentVariable("HOME"),
        });
    }

    /// <summary>Runs a program as the user of <see cref="UserHome"/>: that HOME, that Engram home, the installed bin first on PATH.</summary>
    private async Task<ProcessResult> RunAsync(string file, string[] args, string? stdin = null, Dictionary<string, string?>? environment = null)
    {
        var start = ChildProcess.StartInfo(file, args);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("CLAUDE_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
        start.Environment["HOME"] = UserHome;
        start.Environment["ENGRAM_HOME"] = Home;
        start.Environment["ENGRAM_DEBUG"] = "1";
        start.Environment["ENGRAM_WORKER__IDLEMINUTES"] = "2";
        start.Environment["PATH"] = $"{Bin}:{Environment.GetEnvironmentVariable("PATH")}";
        foreach (var (key, value) in environment ?? []) start.Environment[key] = value;
        return await ChildProcess.RunAsync(start, stdin is null ? null : Encoding.UTF8.GetBytes(stdin), PublishLimit);
    }
}
