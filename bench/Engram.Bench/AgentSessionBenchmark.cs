using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Engram.Eval;
using Engram.Testing;
using Engram.Testing.ModelServers;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- agent-session [--engram /tmp/engram-pub] [--runs 10]
/// Times real headless Claude Code sessions (claude -p from npm, pinned, against the fake Anthropic server on
/// 127.0.0.1) side by side: without Engram, with Engram as <c>engram install</c> sets it up (hooks and MCP server),
/// and with the hooks alone (no MCP server), to tell where the time goes. The variants alternate run by run,
/// in a rotating order, after one warm-up session each. Each session reads a file, runs a failing test, edits the
/// file and runs the test again: four tool calls, eight hook events. The worker the hooks start keeps running, as
/// in real use. --engram is a folder with engram and engram-hook
/// (dotnet publish src/Engram.Cli -c Release -r linux-x64 -o /tmp/engram-pub).
/// </summary>
internal static class AgentSessionBenchmark
{
    private sealed record Variant(string Name, string Home, string Project, bool Engram);

    public static async Task<int> RunAsync(string publishFolder, int runs)
    {
        var engram = Path.Combine(publishFolder, "engram");
        if (!File.Exists(engram) || !File.Exists(Path.Combine(publishFolder, "engram-hook")))
        {
            Console.Error.WriteLine($"{publishFolder} has no engram and engram-hook; publish first: dotnet publish src/Engram.Cli -c Release -r linux-x64 -o {publishFolder}");
            return 2;
        }
        var claude = Path.Combine(await AgentClis.BinFolderAsync(), "claude");
        var root = Directory.CreateTempSubdirectory("engram-session-bench-").FullName;
        await using var model = new FakeAnthropicServer();
        var variants = new[]
        {
            new Variant("without Engram", Path.Combine(root, "plain"), Path.Combine(root, "plain-project"), false),
            new Variant("with Engram (hooks + MCP)", Path.Combine(root, "engram"), Path.Combine(root, "engram-project"), true),
            new Variant("hooks only (no MCP server)", Path.Combine(root, "hooks"), Path.Combine(root, "hooks-project"), true),
        };
        foreach (var variant in variants)
        {
            Directory.CreateDirectory(variant.Home);
            if (!variant.Engram) continue;
            Install(engram, variant.Home);
            // The hooks-only variant keeps the hooks and drops the MCP server registration (~/.claude.json).
            if (variant.Name.StartsWith("hooks", StringComparison.Ordinal)) File.Delete(Path.Combine(variant.Home, ".claude.json"));
        }

        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var startups = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var endings = variants.ToDictionary(v => v.Name, _ => new List<double>());
        Console.WriteLine($"agent-session bench: claude {AgentClis.Pinned["@anthropic-ai/claude-code"]}, {runs} runs per variant after 1 warm-up, {Environment.ProcessorCount} cores");
        for (var run = -1; run < runs; run++)
        {
            for (var i = 0; i < variants.Length; i++)
            {
                var variant = variants[(Math.Max(run, 0) + i) % variants.Length];
                var (total, startup, ending) = await SessionAsync(claude, model, variant);
                if (run < 0) continue;
                times[variant.Name].Add(total.TotalMilliseconds);
                startups[variant.Name].Add(startup.TotalMilliseconds);
                endings[variant.Name].Add(ending.TotalMilliseconds);
            }
        }

        var baseline = Median(times[variants[0].Name]);
        Console.WriteLine("| variant | session median (ms) | p95 (ms) | min (ms) | median / without | start to first model request, median (ms) | last model request to exit, median (ms) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var variant in variants)
        {
            var list = times[variant.Name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {variant.Name} | {Median(list):0} | {Percentile(list, 0.95):0} | {list.Min():0} | {Median(list) / baseline:0.00}x | {Median(startups[variant.Name]):0} | {Median(endings[variant.Name]):0} |"));
        }
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        return 0;
    }

    private static void Install(string engram, string home)
    {
        var start = new ProcessStartInfo(engram, ["install", "--agent", "claude-code"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["HOME"] = home;
        start.Environment["ENGRAM_HOME"] = Path.Combine(home, ".engram");
        using var process = Process.Start(start)!;
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"engram install failed: {process.StandardError.ReadToEnd()}");
    }

    /// <summary>
    /// The whole session, the part before the CLI's first model request (start-up hooks, MCP start-up) and the part
    /// after its last one (Stop and SessionEnd hooks, shutting the MCP server down).
    /// </summary>
    private static async Task<(TimeSpan Total, TimeSpan Startup, TimeSpan Ending)> SessionAsync(string claude, FakeAnthropicServer model, Variant variant)
    {
        CalculatorProject.Create(variant.Project);
        var seen = model.Requests.Count;
        var math = Path.Combine(variant.Project, "math.js");
        model.Script(
            ModelTurn.CallTool("Read", new JsonObject { ["file_path"] = math }),
            ModelTurn.CallTool("Bash", new JsonObject { ["command"] = "node test.js", ["description"] = "Run the tests" }),
            ModelTurn.CallTool("Edit", new JsonObject { ["file_path"] = math, ["old_string"] = "a + b + 1", ["new_string"] = "a + b" }),
            ModelTurn.CallTool("Bash", new JsonObject { ["command"] = "node test.js", ["description"] = "Run the tests again" }),
            ModelTurn.Say("Fixed add(). Decision: keep it a plain sum. Next step: test negative numbers."));
        var environment = ClaudeCodeHeadless.Environment(model.Root).ToList();
        if (variant.Engram)
        {
            environment.Add(new("ENGRAM_HOME", Path.Combine(variant.Home, ".engram")));
            // The worker the hooks start stops a minute after the benchmark.
            environment.Add(new("ENGRAM_WORKER__IDLEMINUTES", "1"));
        }
        var result = await AgentCliRun.RunAsync(claude, ClaudeCodeHeadless.Arguments("node test.js fails. Fix add() in math.js."),
            variant.Project, variant.Home, environment, TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0 || model.TurnsLeft != 0 || File.ReadAllText(math) != CalculatorProject.FixedMath)
        {
            throw new InvalidOperationException($"the {variant.Name} session did not run as scripted (exit {result.ExitCode}): {result.Stderr}");
        }
        var requests = model.Requests.Skip(seen).ToList();
        return (result.Elapsed, Stopwatch.GetElapsedTime(result.Started, requests[0].Timestamp), Stopwatch.GetElapsedTime(requests[^1].Timestamp, result.Ended));
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double fraction) => Percentiles.Of(values.Order().ToList(), fraction);
}
