using System.Diagnostics;
using System.Net.Sockets;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// The native command front (engram-front, NativeAOT, published beside engram by this project's build), run as a
/// user runs <c>engram</c>: everything the worker does not answer (no worker, other settings, a worker gone
/// mid-answer, arguments that are not UTF-8 or too many) and every other command run by the managed engram in the
/// same process with the same output and exit code. Its answers from a real worker, and a worker killed between
/// commands, are in WorkerCommandTests (the same journey as the managed client).
/// </summary>
public sealed class CommandFrontTests : IDisposable
{
    private const string Answered = "answered by the running worker";
    private static readonly string Front = Path.Combine(AppContext.BaseDirectory, "engram-front");
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _front;
    private readonly EngramProcess _managed;
    private readonly EngramProcess _worker;

    public CommandFrontTests()
    {
        var home = _folder.File("home");
        _front = new EngramProcess(home) { UseFront = true };
        _managed = new EngramProcess(home);
        _worker = new EngramProcess(home);
        // The worker answers only clients with its own settings: all get the same ones.
        foreach (var process in new[] { _front, _managed, _worker }) process.Environment["ENGRAM_WORKER__IDLEMINUTES"] = "10";
        foreach (var process in new[] { _front, _managed }) process.Environment["ENGRAM_DEBUG"] = "1";
    }

    public void Dispose()
    {
        _worker.KillAll();
        _folder.Dispose();
    }

    private string Socket => Path.Combine(_front.Home, "cli.sock");

    [Fact]
    public async Task Without_a_worker_every_command_runs_in_the_managed_engram_with_its_output_and_exit_code()
    {
        foreach (var args in new[] { ["--version"], [], ["search", "x", "--limit", "zero"], ["get", "01M8Q05HVB04H8JR812ZZS2F6G"], new[] { "stats" } })
        {
            var direct = await _managed.RunAsync(args);
            var front = await _front.RunAsync(args);
            Assert.Equal((direct.ExitCode, direct.Stdout, direct.Stderr), (front.ExitCode, front.Stdout, front.Stderr));
        }
        Assert.Equal(2, (await _front.RunAsync()).ExitCode);

        // Standard input reaches the managed engram untouched.
        var piped = await _front.RunWithInputAsync("Production runs on port 5432", "add", "-", "--no-infer");
        Assert.Equal(0, piped.ExitCode);
        var found = await _front.RunAsync("search", "which port");
        Assert.True(found.Stdout.Contains("5432", StringComparison.Ordinal), found.Stderr);
        Assert.DoesNotContain(Answered, found.Stderr, StringComparison.Ordinal);

        // The capture hook through the front: exit 0, one event in the spool.
        var hooked = await _front.RunWithInputAsync("""{"session_id":"s1","cwd":"/tmp","tool_name":"Bash"}""", "hook", "claude-code", "post-tool-use");
        Assert.Equal((0, ""), (hooked.ExitCode, hooked.Stdout));
        Assert.Single(Directory.GetFiles(Path.Combine(_front.Home, "spool"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_worker_that_goes_away_mid_answer_or_settings_it_was_not_started_with_leave_the_managed_engram_to_answer()
    {
        Assert.Equal(0, (await _managed.RunAsync("add", "Staging runs on port 6543", "--no-infer")).ExitCode);
        var worker = new HangingUpWorker(_front.Home);
        var found = await _front.RunAsync("search", "staging port");
        Assert.Equal(0, found.ExitCode);
        Assert.Contains("6543", found.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Answered, found.Stderr, StringComparison.Ordinal);
        // Asked once: the managed engram the front becomes is told the worker was asked, and does not ask again.
        Assert.Equal(1, worker.HangUps);
        await worker.DisposeAsync();

        await _worker.StartWorkerAsync();
        _front.Environment["ENGRAM_SEARCH__RRFK"] = "30";
        var other = await _front.RunAsync("search", "staging port");
        Assert.Equal(0, other.ExitCode);
        Assert.Contains("6543", other.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Answered, other.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_while_waiting_for_the_worker_ends_the_front_as_it_ends_the_managed_client()
    {
        // A worker that takes the request and never answers: both clients wait until interrupted.
        Directory.CreateDirectory(_front.Home);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(Socket));
        listener.Listen(4);
        foreach (var executable in new[] { Front, Path.Combine(AppContext.BaseDirectory, "engram") })
        {
            // env gives the client SIGINT's default action: a suite started in the background of a shell without job
            // control inherits SIGINT ignored, and so would the client (env execs it: the pid is the client's).
            var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "--default-signal=INT", executable, "search", "staging port" }) start.ArgumentList.Add(arg);
            start.Environment["ENGRAM_HOME"] = _front.Home;
            using var client = Process.Start(start)!;
            using var waiting = await listener.AcceptAsync(TestContext.Current.CancellationToken);
            using (var interrupt = Process.Start("kill", ["-INT", client.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await interrupt.WaitForExitAsync(TestContext.Current.CancellationToken);
            using var timeout = new CancellationTokenSource(Eventually.HangGuard);
            await client.WaitForExitAsync(timeout.Token);
            Assert.Equal(128 + 2, client.ExitCode); // killed by SIGINT, as .NET reports it
            Assert.Equal("", await client.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Arguments_the_worker_must_not_see_are_run_by_the_managed_engram()
    {
        await _worker.StartWorkerAsync();

        // Not UTF-8: the front sends nothing (the worker would get other text than was typed); the managed engram gets
        // the bytes as typed and decodes them as it always did.
        Assert.Equal(0, (await _managed.RunAsync("add", "Port 7000 is for the metrics exporter", "--no-infer")).ExitCode);
        const string script = """exec "$0" search "$(printf 'port \377\376 7000')" --limit 5""";
        var front = await ShellAsync(script, Front);
        var direct = await ShellAsync(script, Path.Combine(AppContext.BaseDirectory, "engram"));
        Assert.Equal(0, front.ExitCode);
        Assert.Contains("metrics exporter", front.Stdout, StringComparison.Ordinal);
        Assert.Equal((direct.ExitCode, direct.Stdout, direct.Stderr), (front.ExitCode, front.Stdout, front.Stderr));

        // More arguments than the worker takes (10,000): declined, and the managed engram reports the usage error.
        var many = await _front.RunAsync(["search", .. Enumerable.Repeat("x", 10_001)]);
        Assert.Equal(2, many.ExitCode);
        Assert.DoesNotContain(Answered, many.Stderr, StringComparison.Ordinal);
        Assert.Contains("engram:", many.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_front_with_no_managed_engram_beside_it_says_so_instead_of_running_itself()
    {
        var alone = _folder.File("alone");
        Directory.CreateDirectory(alone);
        var copy = Path.Combine(alone, "engram-front");
        File.Copy(Front, copy);
        // Linked as engram on PATH, the managed engram it looks for would be itself.
        var bin = Directory.CreateDirectory(_folder.File("bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "engram"), copy);
        var result = await ShellAsync("""PATH="$1:$PATH" exec engram --version""", copy, bin);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ENGRAM_CLI", result.Stderr, StringComparison.Ordinal);

        // Linked from elsewhere (as install.sh links it), it finds the managed engram beside its real file.
        File.CreateSymbolicLink(Path.Combine(bin, "linked"), Front);
        var linked = await ShellAsync("""exec "$0" --version""", Path.Combine(bin, "linked"));
        Assert.Equal(0, linked.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", linked.Stdout);

        var configured = await ShellAsync("""ENGRAM_CLI="$1" exec "$0" --version""", copy, Path.Combine(AppContext.BaseDirectory, "engram.dll"));
        Assert.Equal(0, configured.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", configured.Stdout);
    }

    /// <summary>Runs a shell script (for arguments no .NET string can carry) with $0 and $1 given, in this test's home.</summary>
    private async Task<ProcessResult> ShellAsync(string script, params string[] arguments)
    {
        var start = ChildProcess.StartInfo("/bin/sh", ["-c", script, .. arguments]);
        start.Environment["ENGRAM_HOME"] = _front.Home;
        start.Environment["ENGRAM_NO_WORKER"] = "1";
        start.Environment["ENGRAM_WORKER__IDLEMINUTES"] = "10";
        start.Environment["ENGRAM_DEBUG"] = "1";
        return await ChildProcess.RunAsync(start, null, Eventually.HangGuard);
    }
}
