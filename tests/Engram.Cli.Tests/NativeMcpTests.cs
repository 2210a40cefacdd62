using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engram.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Engram.Cli.Tests;

/// <summary>
/// engram-mcp (NativeAOT, published beside engram.dll by this project's build) driven by the SDK's stdio
/// client, as Claude Code runs it: the first session is relayed whole to the managed engram mcp, later ones
/// get initialize and tools/list from the answers it kept, and tool calls always reach the real server.
/// </summary>
public sealed class NativeMcpTests : IDisposable
{
    private static readonly string NativeServer = Path.Combine(AppContext.BaseDirectory, "engram-mcp");
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Home => _folder.File("home");

    private string CachePath => Path.Combine(Home, "cache", "mcp-answers.json");

    private Task<McpClient> StartAsync(params string[] arguments) => StartAsync(arguments, new Dictionary<string, string?>(), null);

    private async Task<McpClient> StartAsync(string[] arguments, Dictionary<string, string?> environment, Action<string>? stderr)
    {
        // The test run's own ENGRAM_ variables stay out, as ChildProcess keeps them out of every engram it starts (a worker too).
        foreach (var name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(n => n.StartsWith("ENGRAM_", StringComparison.Ordinal)))
        {
            environment.TryAdd(name, null);
        }
        environment["ENGRAM_HOME"] = Home;
        environment["ENGRAM_NO_WORKER"] = "1";
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "engram",
            Command = NativeServer,
            Arguments = arguments,
            EnvironmentVariables = environment,
            StandardErrorLines = stderr,
        });
        return await McpClient.CreateAsync(transport);
    }

    private static async Task<string> CallTextAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));
        Assert.False(result.IsError == true, $"{tool} failed: {text}");
        return text;
    }

    [Fact]
    public async Task The_first_session_is_relayed_and_kept_later_ones_answer_from_it_and_tools_reach_the_server()
    {
        List<string> firstTools;
        await using (var first = await StartAsync())
        {
            firstTools = [.. (await first.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name)];
            Assert.Contains("search", firstTools);
            Assert.Equal("engram", first.ServerInfo?.Name);
            var stored = await CallTextAsync(first, "remember", new() { ["text"] = "The release branch is cut every second Tuesday" });
            Assert.Contains("01", stored, StringComparison.Ordinal);
        }
        Assert.True(File.Exists(CachePath), "the first session's answers were not kept");
        Assert.False(Core.OwnerOnly.IsOpenToOthers(CachePath));
        Assert.DoesNotContain("second Tuesday", await File.ReadAllTextAsync(CachePath, TestContext.Current.CancellationToken), StringComparison.Ordinal);

        await using (var second = await StartAsync())
        {
            Assert.Equal(firstTools, [.. (await second.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name)]);
            Assert.Equal("engram", second.ServerInfo?.Name);
            Assert.Contains("second Tuesday", await CallTextAsync(second, "search", new() { ["query"] = "release branch cut" }), StringComparison.Ordinal);
        }

        // Arguments reach the managed server: another tenant sees nothing.
        await using var other = await StartAsync("--tenant", "other");
        Assert.StartsWith("No memories match", await CallTextAsync(other, "search", new() { ["query"] = "release branch cut" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_kept_answers_the_managed_server_starts_only_for_a_tool_call()
    {
        await using (var first = await StartAsync())
        {
            await first.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
            await first.ListResourcesAsync(cancellationToken: TestContext.Current.CancellationToken);
        }
        await using var second = await StartAsync();
        Assert.Equal("engram", second.ServerInfo?.Name);
        Assert.Contains("search", (await second.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name));
        Assert.Empty(await second.ListResourcesAsync(cancellationToken: TestContext.Current.CancellationToken));
        await second.PingAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, ManagedServersRunning());

        await CallTextAsync(second, "search", new() { ["query"] = "anything" });
        Assert.Equal(1, ManagedServersRunning());
    }

    [Fact]
    public async Task With_a_worker_running_read_only_tool_calls_are_answered_by_it_and_the_rest_start_the_managed_server()
    {
        // The first session keeps the tool list, which says which tools only read.
        await using (var first = await StartAsync())
        {
            await first.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
            await CallTextAsync(first, "remember", new() { ["text"] = "The release branch is cut every second Tuesday" });
        }
        var worker = new EngramProcess(Home);
        worker.Environment["ENGRAM_WORKER__IDLEMINUTES"] = "10";
        var running = await worker.StartWorkerAsync();
        try
        {
            var stderr = new System.Collections.Concurrent.ConcurrentQueue<string>();
            Dictionary<string, string?> Settings(string idleMinutes) => new() { ["ENGRAM_WORKER__IDLEMINUTES"] = idleMinutes, ["ENGRAM_DEBUG"] = "1" };
            const string Answered = "engram-mcp: answered by the running worker";

            await using (var session = await StartAsync([], Settings("10"), stderr.Enqueue))
            {
                var found = await CallTextAsync(session, "search", new() { ["query"] = "release branch cut" });
                Assert.Contains("second Tuesday", found, StringComparison.Ordinal);
                Assert.Contains(">> ", await CallTextAsync(session, "timeline", new() { ["query"] = "release branch" }), StringComparison.Ordinal);
                await Eventually.HoldsAsync(() => stderr.Count(l => l == Answered) == 2, "both calls answered by the worker", TestContext.Current.CancellationToken);
                Assert.Equal(0, ManagedServersRunning());
                // A tool error is the worker's answer too, as the managed server would give it.
                var empty = await session.CallToolAsync("search", new Dictionary<string, object?> { ["query"] = " " }, cancellationToken: TestContext.Current.CancellationToken);
                Assert.True(empty.IsError);
                Assert.Contains("query is empty", string.Concat(empty.Content.OfType<TextContentBlock>().Select(b => b.Text)), StringComparison.Ordinal);
                Assert.Equal(0, ManagedServersRunning());

                // A write is never the worker's: it starts the managed server, which then answers everything.
                await CallTextAsync(session, "remember", new() { ["text"] = "Staging runs on port 6543" });
                Assert.Equal(1, ManagedServersRunning());
                var answeredBefore = stderr.Count(l => l == Answered);
                Assert.Contains("6543", await CallTextAsync(session, "search", new() { ["query"] = "staging port" }), StringComparison.Ordinal);
                Assert.Equal(answeredBefore, stderr.Count(l => l == Answered));
            }

            // The session's arguments reach the worker: another tenant sees nothing.
            await using (var other = await StartAsync(["--tenant", "other"], Settings("10"), stderr.Enqueue))
            {
                Assert.StartsWith("No memories match", await CallTextAsync(other, "search", new() { ["query"] = "release branch cut" }), StringComparison.Ordinal);
                Assert.Equal(0, ManagedServersRunning());
            }

            // A worker started with other settings declines: the managed server answers.
            stderr.Clear();
            await using (var otherSettings = await StartAsync([], Settings("11"), stderr.Enqueue))
            {
                Assert.Contains("second Tuesday", await CallTextAsync(otherSettings, "search", new() { ["query"] = "release branch cut" }), StringComparison.Ordinal);
                Assert.Equal(1, ManagedServersRunning());
                Assert.DoesNotContain(Answered, stderr);
            }
        }
        finally
        {
            worker.KillAll();
            try
            {
                await running;
            }
            catch (TimeoutException)
            {
                // Not killed in time: the test's own failure says more.
            }
            foreach (var pid in WorkerProcesses.Of(Home)) WorkerProcesses.Kill(pid);
        }
    }

    [Fact]
    public async Task A_worker_that_hangs_up_mid_call_leaves_the_call_to_the_managed_server()
    {
        await using (var first = await StartAsync())
        {
            await first.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
            await CallTextAsync(first, "remember", new() { ["text"] = "The release branch is cut every second Tuesday" });
        }
        await using var worker = new HangingUpWorker(Home);
        await using (var session = await StartAsync())
        {
            Assert.Contains("second Tuesday", await CallTextAsync(session, "search", new() { ["query"] = "release branch cut" }), StringComparison.Ordinal);
            Assert.Equal(1, worker.HangUps);
            Assert.Equal(1, ManagedServersRunning());
        }
    }

    /// <summary>A request of the stateless protocol (2026-07-28), as Claude Code 2.1.332 sends it.</summary>
    private static string Stateless(string id, string method, string extra = "") =>
        $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{{\"_meta\":{{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
        + $"\"io.modelcontextprotocol/clientInfo\":{{\"name\":\"claude-code\",\"version\":\"2.1.332\"}},\"io.modelcontextprotocol/clientCapabilities\":{{\"roots\":{{\"listChanged\":true}}}}}}{extra}}}}}";

    private const string ListenParameters = ",\"notifications\":{\"toolsListChanged\":true,\"resourcesListChanged\":true,\"promptsListChanged\":true}";

    /// <summary>A server with <paramref name="lines"/> on its input, which stays open (the session goes on) until it is disposed.</summary>
    private sealed class RawSession : IAsyncDisposable
    {
        private readonly Process _process;

        public RawSession(string file, string[] arguments, string home, IEnumerable<string> lines)
        {
            var start = ChildProcess.StartInfo(file, arguments);
            start.Environment["ENGRAM_HOME"] = home;
            start.Environment["ENGRAM_NO_WORKER"] = "1";
            _process = Process.Start(start)!;
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginErrorReadLine();
            foreach (var line in lines) _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }

        /// <summary>The next <paramref name="count"/> lines the server writes.</summary>
        public async Task<List<JsonNode>> ReadAsync(int count)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            limit.CancelAfter(Eventually.HangGuard);
            var lines = new List<JsonNode>();
            while (lines.Count < count && await _process.StandardOutput.ReadLineAsync(limit.Token) is { } line) lines.Add(JsonNode.Parse(line)!);
            return lines;
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            using var limit = new CancellationTokenSource(Eventually.HangGuard);
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }
    }

    private static JsonNode? Answer(List<JsonNode> lines, string id) => lines.SingleOrDefault(l => l["id"]?.ToJsonString() == id);

    [Fact]
    public async Task Claude_Code_2_1_332_opening_in_the_stateless_protocol_is_answered_without_starting_the_managed_server()
    {
        // Its first session is relayed, and the answers are kept for the stateless protocol too.
        await using (var first = new RawSession(NativeServer, [], Home, [Stateless("1", "server/discover"), Stateless("2", "tools/list"), Stateless("3", "resources/list")]))
        {
            var answers = await first.ReadAsync(3);
            Assert.Equal(["2026-07-28"], Answer(answers, "1")!["result"]!["supportedVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
            await Eventually.HoldsAsync(() => File.Exists(CachePath) && File.ReadAllText(CachePath).Contains("resources/list@2026-07-28", StringComparison.Ordinal),
                "the stateless answers kept", TestContext.Current.CancellationToken);
        }

        // Claude Code 2.1.332 opens with a discover probe and a change subscription, then the lists, and waits for them
        // all before its first model request: the subscription used to start the managed server (about 300 ms).
        string[] opening =
        [
            Stateless("\"server-discover-probe-1\"", "server/discover"),
            Stateless("\"listen:0\"", "subscriptions/listen", ListenParameters),
            Stateless("0", "server/discover"), Stateless("1", "resources/list"), Stateless("2", "tools/list"),
        ];
        await using (var second = new RawSession(NativeServer, [], Home, opening))
        {
            var lines = await second.ReadAsync(5);
            var acknowledged = lines.Single(l => l["method"]?.GetValue<string>() == "notifications/subscriptions/acknowledged");
            Assert.Equal("listen:0", acknowledged["params"]!["_meta"]!["io.modelcontextprotocol/subscriptionId"]!.GetValue<string>());
            Assert.Contains("search", Answer(lines, "2")!["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
            Assert.NotNull(Answer(lines, "\"server-discover-probe-1\"")?["result"]);
            Assert.Equal(0, ManagedServersRunning());

            // The same acknowledgement the managed server gives to the same request.
            await using var managed = new RawSession("dotnet", [Path.Combine(AppContext.BaseDirectory, "engram.dll"), "mcp"], Home, [opening[1]]);
            var fromServer = (await managed.ReadAsync(1)).Single();
            Assert.True(JsonNode.DeepEquals(fromServer, acknowledged), $"engram-mcp: {acknowledged.ToJsonString()}, engram mcp: {fromServer.ToJsonString()}");
        }
    }

    /// <summary>The managed 'engram mcp' processes running for this test's home (Linux: read from /proc).</summary>
    private int ManagedServersRunning()
    {
        var count = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var arguments = File.ReadAllText(Path.Combine(folder, "cmdline")).Split('\0');
                var environment = File.ReadAllText(Path.Combine(folder, "environ")).Split('\0');
                if (arguments.Contains("mcp") && environment.Contains($"ENGRAM_HOME={Home}")) count++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not a process, or one that ended meanwhile.
            }
        }
        return count;
    }

    [Fact]
    public async Task A_kept_answer_that_no_longer_matches_the_server_is_replaced_after_one_session()
    {
        await using (var first = await StartAsync())
        {
            await first.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        }
        var kept = await File.ReadAllTextAsync(CachePath, TestContext.Current.CancellationToken);
        const string Marker = "A title the server never gave";
        var edited = kept.Replace("\"title\":\"Search memory\"", $"\"title\":\"{Marker}\"", StringComparison.Ordinal);
        Assert.NotEqual(kept, edited);
        await File.WriteAllTextAsync(CachePath, edited, TestContext.Current.CancellationToken);

        await using (var second = await StartAsync())
        {
            // Served from the kept answers (this is what makes initialize fast), so the edit shows here ...
            var search = (await second.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Single(t => t.Name == "search");
            Assert.Equal(Marker, search.ProtocolTool.Title);
            // ... while the server's own answer, asked for in the background, replaces it.
            await CallTextAsync(second, "recent_chats", new() { ["n"] = 1 });
        }
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(CachePath, TestContext.Current.CancellationToken));
        Assert.DoesNotContain(Marker, document.RootElement.GetRawText(), StringComparison.Ordinal);
    }
}
