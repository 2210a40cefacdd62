using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Engram.Eval;
using Engram.Testing;
using Engram.Testing.ModelServers;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- agent-session [--engram /tmp/engram-pub] [--runs 10] [--claude PATH]
/// Times real headless Claude Code sessions (claude -p from npm, pinned, against the fake Anthropic server on
/// 127.0.0.1) side by side: without Engram, with Engram as <c>engram install</c> sets it up (hooks and MCP server),
/// with the hooks alone (no MCP server), and without Engram but with a stdio MCP server that offers nothing (what
/// Claude Code charges any MCP server: starting it, the handshake, stopping it), to tell where the time goes. The variants alternate run by run,
/// in a rotating order, after one warm-up session each. Each session reads a file, runs a failing test, edits the
/// file and runs the test again: four tool calls, eight hook events. The worker the hooks start keeps running, as
/// in real use. --engram is a folder with engram and engram-hook
/// (dotnet publish src/Engram.Cli -c Release -r linux-x64 -o /tmp/engram-pub).
/// </summary>
internal static class AgentSessionBenchmark
{
    /// <param name="Engram">Engram installed (its hooks, and its MCP server unless <paramref name="HooksOnly"/>).</param>
    /// <param name="DoNothingHooks">No Engram: the hook events Engram's install registers, each running <c>true</c>.</param>
    /// <param name="NothingServer">The stdio MCP server that offers nothing, registered.</param>
    /// <param name="Served">Engram through a running <c>engram serve</c>: <c>engram install --http</c> (HTTP hooks, MCP over HTTP).</param>
    private sealed record Variant(string Name, string Home, string Project, bool Engram, bool HooksOnly = false, bool DoNothingHooks = false, bool NothingServer = false, bool Served = false);

    /// <summary>
    /// A stdio MCP server in sh builtins that offers no tools: it answers initialize (echoing the client's protocol
    /// version) and tools/list, refuses anything else, and notes each initialize in $NOTHING_LOG so the bench can
    /// tell that Claude Code really started it. It dies of the SIGINT Claude Code stops servers with.
    /// </summary>
    private const string NothingServer = """
        while IFS= read -r line; do
          case "$line" in *'"id":'*) ;; *) continue ;; esac
          id=${line#*\"id\":}; id=${id%%[,\}]*}
          case "$line" in
            *'"method":"initialize"'*)
              version=${line#*\"protocolVersion\":\"}; version=${version%%\"*}
              echo initialize >> "$NOTHING_LOG"
              printf '{"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"%s","capabilities":{"tools":{}},"serverInfo":{"name":"nothing","version":"1.0.0"}}}\n' "$id" "$version" ;;
            *'"method":"tools/list"'*) printf '{"jsonrpc":"2.0","id":%s,"result":{"tools":[]}}\n' "$id" ;;
            *'"method":'*) printf '{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"method not found"}}\n' "$id" ;;
          esac
        done
        """;

    /// <param name="claudePath">Another claude executable than the pinned one (another version), or "".</param>
    public static async Task<int> RunAsync(string publishFolder, int runs, string claudePath = "")
    {
        var engram = Path.Combine(publishFolder, "engram");
        if (!File.Exists(engram) || !File.Exists(Path.Combine(publishFolder, "engram-hook")))
        {
            Console.Error.WriteLine($"{publishFolder} has no engram and engram-hook; publish first: dotnet publish src/Engram.Cli -c Release -r linux-x64 -o {publishFolder}");
            return 2;
        }
        var claude = claudePath.Length > 0 ? Path.GetFullPath(claudePath) : Path.Combine(await AgentClis.BinFolderAsync(), "claude");
        var root = Directory.CreateTempSubdirectory("engram-session-bench-").FullName;
        await using var model = new FakeAnthropicServer();
        var variants = new[]
        {
            new Variant("without Engram", Path.Combine(root, "plain"), Path.Combine(root, "plain-project"), false),
            new Variant("with Engram (hooks + MCP)", Path.Combine(root, "engram"), Path.Combine(root, "engram-project"), true),
            new Variant("hooks only (no MCP server)", Path.Combine(root, "hooks"), Path.Combine(root, "hooks-project"), true, HooksOnly: true),
            // What Claude Code charges for any hooks and any stdio MCP server, whatever they do: the floor under Engram's rows.
            new Variant("no Engram: the same hook events running `true`", Path.Combine(root, "true-hooks"), Path.Combine(root, "true-hooks-project"), false, DoNothingHooks: true),
            new Variant("no Engram: an MCP server that offers nothing", Path.Combine(root, "nothing"), Path.Combine(root, "nothing-project"), false, NothingServer: true),
            new Variant("no Engram: `true` hooks + the server that offers nothing", Path.Combine(root, "floor"), Path.Combine(root, "floor-project"), false, DoNothingHooks: true, NothingServer: true),
            new Variant("with Engram served (`engram install --http`, `engram serve` running)", Path.Combine(root, "served"), Path.Combine(root, "served-project"), true, Served: true),
        };
        Process? serve = null;
        foreach (var variant in variants)
        {
            Directory.CreateDirectory(variant.Home);
            if (variant.Served)
            {
                var url = $"http://127.0.0.1:{FreePort()}";
                serve = await ServeAsync(engram, variant.Home, url);
                Install(engram, variant.Home, "--http", "--server", url);
                await RequireMcpConnectedAsync(claude, variant.Home);
            }
            else if (variant.Engram || variant.DoNothingHooks) Install(engram, variant.Home);
            // Only the hooks stay: the MCP server registration (~/.claude.json) goes.
            if (variant.HooksOnly || variant.DoNothingHooks) File.Delete(Path.Combine(variant.Home, ".claude.json"));
            if (variant.DoNothingHooks) ReplaceHookCommands(variant.Home, "true");
            if (variant.NothingServer) RegisterNothingServer(variant.Home);
        }

        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var startups = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var endings = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var version = claudePath.Length > 0 ? claudePath : AgentClis.Pinned["@anthropic-ai/claude-code"];
        Console.WriteLine($"agent-session bench: claude {version}, {runs} runs per variant after 1 warm-up, {Environment.ProcessorCount} cores");
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
        serve?.Kill(entireProcessTree: true);
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        return 0;
    }

    /// <summary>Keeps the hook events, matchers, timeouts and async flags Engram's install wrote, and runs <paramref name="command"/> for each.</summary>
    private static void ReplaceHookCommands(string home, string command)
    {
        var settingsPath = Path.Combine(home, ".claude", "settings.json");
        var settings = JsonNode.Parse(File.ReadAllText(settingsPath))!;
        var replaced = 0;
        foreach (var (_, groups) in settings["hooks"]!.AsObject())
        {
            foreach (var hook in groups!.AsArray().SelectMany(group => group!["hooks"]!.AsArray()))
            {
                hook!["command"] = command;
                replaced++;
            }
        }
        if (replaced == 0) throw new InvalidOperationException($"engram install wrote no hooks to {settingsPath}");
        File.WriteAllText(settingsPath, settings.ToJsonString());
    }

    private static void RegisterNothingServer(string home)
    {
        var script = Path.Combine(home, "nothing-mcp.sh");
        File.WriteAllText(script, NothingServer);
        var servers = new JsonObject
        {
            ["nothing"] = new JsonObject
            {
                ["type"] = "stdio", ["command"] = "/bin/sh", ["args"] = new JsonArray(script),
                ["env"] = new JsonObject { ["NOTHING_LOG"] = Path.Combine(home, "nothing-mcp.log") },
            },
        };
        File.WriteAllText(Path.Combine(home, ".claude.json"), new JsonObject { ["mcpServers"] = servers }.ToJsonString());
    }

    private static int NothingServerStarts(string home) =>
        File.Exists(Path.Combine(home, "nothing-mcp.log")) ? File.ReadAllLines(Path.Combine(home, "nothing-mcp.log")).Length : 0;

    /// <summary>Claude Code's own check (<c>claude mcp list</c>) that it reaches Engram's MCP server, so a variant cannot look fast by failing to connect.</summary>
    private static async Task RequireMcpConnectedAsync(string claude, string home)
    {
        var start = new ProcessStartInfo(claude, ["mcp", "list"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["HOME"] = home;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("engram:", StringComparison.Ordinal)) ?? "";
        if (!line.Contains("Connected", StringComparison.Ordinal)) throw new InvalidOperationException($"Claude Code does not reach Engram's MCP server: {output}");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <c>engram serve</c> for the home, and returns once it answers.</summary>
    private static async Task<Process> ServeAsync(string engram, string home, string url)
    {
        var start = new ProcessStartInfo(engram, ["serve", "--port", url[(url.LastIndexOf(':') + 1)..]]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["HOME"] = home;
        start.Environment["ENGRAM_HOME"] = Path.Combine(home, ".engram");
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await client.GetAsync(url + "/health")).IsSuccessStatusCode) return process;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }
        throw new InvalidOperationException($"engram serve did not answer at {url}");
    }

    private static void Install(string engram, string home, params string[] options)
    {
        var start = new ProcessStartInfo(engram, ["install", "--agent", "claude-code", .. options]) { RedirectStandardOutput = true, RedirectStandardError = true };
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
        var nothingStarts = NothingServerStarts(variant.Home);
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
        if (variant.NothingServer && NothingServerStarts(variant.Home) != nothingStarts + 1)
        {
            throw new InvalidOperationException("Claude Code did not start the MCP server that offers nothing: the floor would not be measured");
        }
        var requests = model.Requests.Skip(seen).ToList();
        return (result.Elapsed, Stopwatch.GetElapsedTime(result.Started, requests[0].Timestamp), Stopwatch.GetElapsedTime(requests[^1].Timestamp, result.Ended));
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double fraction) => Percentiles.Of(values.Order().ToList(), fraction);
}
