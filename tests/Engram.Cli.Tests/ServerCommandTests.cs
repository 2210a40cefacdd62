using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Engram.Testing;
using ModelContextProtocol.Client;

namespace Engram.Cli.Tests;

/// <summary>engram apikey and engram serve, through the real engram process.</summary>
public sealed class ServerCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;

    public ServerCommandTests() => _engram = new EngramProcess(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Apikey_create_list_revoke_keeps_only_a_hash_and_shows_the_secret_once()
    {
        var created = await _engram.RunAsync("apikey", "create", "--tenant", "acme", "--name", "ci", "--json");
        Assert.Equal(0, created.ExitCode);
        using var json = JsonDocument.Parse(created.Stdout);
        var secret = json.RootElement.GetProperty("key").GetString()!;
        var id = json.RootElement.GetProperty("id").GetString()!;
        Assert.StartsWith("engram_", secret, StringComparison.Ordinal);
        Assert.Equal("acme", json.RootElement.GetProperty("tenant").GetString());

        var list = await _engram.RunAsync("apikey", "list", "--json");
        Assert.Equal(0, list.ExitCode);
        Assert.DoesNotContain(secret, list.Stdout, StringComparison.Ordinal);
        Assert.Contains(secret[..11], list.Stdout, StringComparison.Ordinal);
        var database = await File.ReadAllBytesAsync(Path.Combine(_engram.Home, "engram.db"), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(secret, Encoding.UTF8.GetString(database), StringComparison.Ordinal);

        Assert.Equal(0, (await _engram.RunAsync("apikey", "revoke", id)).ExitCode);
        var again = await _engram.RunAsync("apikey", "revoke", id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"no active API key with id {id}", again.Stderr, StringComparison.Ordinal);

        var usage = await _engram.RunAsync("apikey", "create");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--tenant", usage.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await _engram.RunAsync("apikey", "rotate")).ExitCode);
    }

    [Fact]
    public async Task Serve_refuses_to_listen_beyond_loopback_without_keys()
    {
        var result = await _engram.RunAsync("serve", "--host", "0.0.0.0", "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("refusing to listen on 0.0.0.0", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_on_a_busy_port_says_so_in_one_line()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = await _engram.RunAsync("serve", "--port", port);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--port", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_answers_rest_with_a_key_and_stops_gracefully_on_sigterm()
    {
        var created = await _engram.RunAsync("apikey", "create", "--tenant", "acme", "--json");
        using var json = JsonDocument.Parse(created.Stdout);
        var key = json.RootElement.GetProperty("key").GetString()!;
        var port = FreePort();

        using var server = StartServe(port);
        var stderr = new StringBuilder();
        server.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        server.BeginErrorReadLine();
        var stdout = server.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Eventually.HangGuard };
            await WaitForHealthAsync(http, server);

            using var anonymous = await http.GetAsync(new Uri("/api/v1/memories", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

            using var add = new HttpRequestMessage(HttpMethod.Post, "/api/v1/memories")
            {
                Content = new StringContent("""{"text":"Served by a real engram serve","user_id":"alice"}""", Encoding.UTF8, "application/json"),
            };
            add.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var added = await http.SendAsync(add, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);

            using var term = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await term.WaitForExitAsync(TestContext.Current.CancellationToken);
            using var timeout = new CancellationTokenSource(Eventually.HangGuard);
            await server.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, server.ExitCode);
            Assert.Equal("", await stdout);
            lock (stderr) Assert.Contains("engram: stopped", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
        }

        var list = await _engram.RunAsync("list", "--tenant", "acme", "--json");
        Assert.Contains("Served by a real engram serve", list.Stdout, StringComparison.Ordinal);
    }

    private Process StartServe(int port)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "engram.dll"));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ENGRAM_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
        start.Environment["ENGRAM_HOME"] = _engram.Home;
        return Process.Start(start)!;
    }

    [Fact]
    public async Task Serve_runs_the_background_worker_so_hook_events_become_observations()
    {
        await WithServeAsync(async http =>
        {
            var repo = _folder.File("repo");
            Directory.CreateDirectory(Path.Combine(repo, "src"));
            var session = new ClaudeCodeSession("serve-worker", repo);
            var hook = await _engram.RunWithInputAsync(session.Edit("src/app.py", "x = 1", "x = 2"), "hook", "claude-code", "post-tool-use");
            Assert.Equal(0, hook.ExitCode);

            await Eventually.HoldsAsync(async () =>
            {
                using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/v1/memories?kind=observation", UriKind.Relative), TestContext.Current.CancellationToken));
                return list.RootElement.GetProperty("results").GetArrayLength() > 0;
            }, "engram serve's worker turning the hook event into an observation", TestContext.Current.CancellationToken);
            var logs = _engram.LogText();
            Assert.Contains("worker started in this host", logs, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Hook_events_posted_over_http_are_captured_and_context_is_served()
    {
        await WithServeAsync(async http =>
        {
            var repo = _folder.File("repo");
            Directory.CreateDirectory(Path.Combine(repo, "src"));
            var session = new ClaudeCodeSession("http-hooks", repo);

            async Task<HttpResponseMessage> Post(string eventName, string json) =>
                await http.PostAsync(new Uri($"/api/v1/hooks/claude-code/{eventName}", UriKind.Relative), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.OK, (await Post("user-prompt-submit", session.Prompt("Speed up the report export"))).StatusCode);
            var edit = await Post("post-tool-use", session.Edit("src/export.py", "rows = load()", "rows = load(batch=500)"));
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
            Assert.True(edit.Headers.Contains("Engram-Event-Id"));
            Assert.Equal("{}", await edit.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await Post("stop", session.Stop("Batched the export query. Next step: measure the export on the big tenant."))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await Post("no-such-event", "{}")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await Post("stop", "{not json")).StatusCode);
            // A cut emoji (escaped lone surrogate) in the cwd: repaired by the server's JSON guard, captured, not a 500.
            Assert.Equal(HttpStatusCode.OK, (await Post("post-tool-use", session.Edit("src/emoji.py", "a", "b").Replace(repo, repo + "\\ud83d", StringComparison.Ordinal))).StatusCode);

            var context = "";
            await Eventually.HoldsAsync(async () =>
            {
                using var answer = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/v1/context?cwd={Uri.EscapeDataString(repo)}", UriKind.Relative), TestContext.Current.CancellationToken));
                context = answer.RootElement.GetProperty("context").GetString()!;
                return context.Contains("measure the export on the big tenant", StringComparison.Ordinal);
            }, "the posted session reaching the context", () => Task.FromResult(context), TestContext.Current.CancellationToken);
            Assert.Contains("src/export.py", context, StringComparison.Ordinal);

            var start = await Post("session-start", new ClaudeCodeSession("http-hooks-2", repo).SessionStart());
            using var startJson = JsonDocument.Parse(await start.Content.ReadAsStringAsync());
            var output = startJson.RootElement.GetProperty("hookSpecificOutput");
            Assert.Equal("SessionStart", output.GetProperty("hookEventName").GetString());
            Assert.Contains("measure the export", output.GetProperty("additionalContext").GetString(), StringComparison.Ordinal);
            // What that session was given is recorded under the event's id, each memory as its [id] in the text says.
            using var given = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/v1/sessions/http-hooks-2/injections", UriKind.Relative)));
            var records = given.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.NotEmpty(records);
            Assert.All(records, r => Assert.Equal(("hook-http", start.Headers.GetValues("Engram-Event-Id").Single()), (r.GetProperty("source").GetString(), r.GetProperty("context_id").GetString())));
            Assert.Equal("last-session", records[0].GetProperty("reason").GetString());
            foreach (var r in records) Assert.Contains($"[{r.GetProperty("memory_id").GetString()}]", output.GetProperty("additionalContext").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri("/api/v1/context", UriKind.Relative))).StatusCode);
        });
    }

    [Fact]
    public async Task Install_with_http_registers_the_serve_mcp_endpoint_which_an_mcp_client_reaches()
    {
        await WithServeAsync(async http =>
        {
            var userHome = _folder.File("user-home");
            Directory.CreateDirectory(Path.Combine(userHome, ".claude"));
            _engram.Environment["HOME"] = userHome;
            var url = http.BaseAddress!.ToString().TrimEnd('/');
            var claudeJson = Path.Combine(userHome, ".claude.json");
            JsonElement Entry() => JsonDocument.Parse(File.ReadAllText(claudeJson)).RootElement.GetProperty("mcpServers").GetProperty("engram");

            var install = await _engram.RunAsync("install", "--agent", "claude-code", "--http", "--server", url);
            Assert.True(install.ExitCode == 0, install.Stderr);
            Assert.Equal("http", Entry().GetProperty("type").GetString());
            Assert.Equal(url + "/mcp", Entry().GetProperty("url").GetString());

            // What Claude Code connects to: the SDK's client over HTTP finds Engram's tools there, with no process started.
            await using (var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(url + "/mcp") })))
            {
                Assert.Contains("search", (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name));
            }
            var doctor = await _engram.RunAsync("doctor");
            Assert.Contains($"over HTTP to engram serve at {url}/mcp", doctor.Stdout, StringComparison.Ordinal);

            // Installed again without --http, the agent starts Engram's stdio server instead; uninstall removes either.
            Assert.Equal(0, (await _engram.RunAsync("install", "--agent", "claude-code")).ExitCode);
            Assert.False(Entry().TryGetProperty("url", out _));
            Assert.Equal(0, (await _engram.RunAsync("install", "--agent", "claude-code", "--http", "--server", url)).ExitCode);
            Assert.Equal(0, (await _engram.RunAsync("uninstall", "--agent", "claude-code")).ExitCode);
            Assert.False(File.Exists(claudeJson) && File.ReadAllText(claudeJson).Contains("/mcp", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task Memory_commands_with_server_work_against_a_running_server_in_the_keys_tenant()
    {
        var created = await _engram.RunAsync("apikey", "create", "--tenant", "acme", "--json");
        using var json = JsonDocument.Parse(created.Stdout);
        var key = json.RootElement.GetProperty("key").GetString()!;
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var server = StartServe(port);
        server.BeginErrorReadLine();
        var stdout = server.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            using (var http = new HttpClient { BaseAddress = new Uri(url), Timeout = Eventually.HangGuard })
            {
                await WaitForHealthAsync(http, server);
            }
            // Another machine, in effect: its own empty home, and the key in the environment.
            var client = new EngramProcess(_folder.File("client-home"));
            client.Environment["ENGRAM_API_KEY"] = key;

            var add = await client.RunAsync("add", "The build cache lives on the NAS", "--user", "alice", "--server", url, "--json");
            Assert.True(add.ExitCode == 0, add.Stderr);
            using var added = JsonDocument.Parse(add.Stdout);
            var id = added.RootElement.GetProperty("results")[0].GetProperty("id").GetString()!;

            var search = await client.RunAsync("search", "where is the build cache", "--user", "alice", "--server", url, "--json");
            Assert.Contains(id, search.Stdout, StringComparison.Ordinal);
            Assert.Contains("The build cache lives on the NAS", (await client.RunAsync("get", id, "--server=" + url)).Stdout, StringComparison.Ordinal);
            Assert.Equal(0, (await client.RunAsync("update", id, "The build cache moved to S3", "--server", url)).ExitCode);
            Assert.Contains("The build cache moved to S3", (await client.RunAsync("history", id, "--server", url)).Stdout, StringComparison.Ordinal);
            Assert.Contains(id, (await client.RunAsync("list", "--server", url, "--json")).Stdout, StringComparison.Ordinal);
            Assert.Equal(0, (await client.RunAsync("delete", id, "--server", url)).ExitCode);
            var gone = await client.RunAsync("get", id, "--server", url);
            Assert.Equal(1, gone.ExitCode);
            Assert.Contains("deleted", gone.Stderr, StringComparison.Ordinal);

            // Stored on the server, in the key's tenant; nothing in the client's own home.
            Assert.Contains("The build cache moved to S3", (await _engram.RunAsync("history", id, "--tenant", "acme", "--json")).Stdout, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(client.Home, "engram.db")));

            var stats = await client.RunAsync("stats", "--server", url);
            Assert.Equal(2, stats.ExitCode);
            Assert.Contains("local store only", stats.Stderr, StringComparison.Ordinal);
            Assert.Equal(2, (await client.RunAsync("list", "--tenant", "x", "--server", url)).ExitCode);
            Assert.Equal(2, (await client.RunAsync("list", "--server", "ftp://nope")).ExitCode);

            client.Environment["ENGRAM_API_KEY"] = null;
            var anonymous = await client.RunAsync("list", "--server", url);
            Assert.Equal(1, anonymous.ExitCode);
            Assert.Contains("requires an API key", anonymous.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
            await stdout;
        }
    }

    /// <summary>Starts engram serve on a free port, waits until it answers, runs the test body, then kills it.</summary>
    private async Task WithServeAsync(Func<HttpClient, Task> body)
    {
        var port = FreePort();
        using var server = StartServe(port);
        server.BeginErrorReadLine();
        var stdout = server.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Eventually.HangGuard };
            await WaitForHealthAsync(http, server);
            await body(http);
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            await stdout;
        }
    }

    internal static async Task WaitForHealthAsync(HttpClient http, Process server)
    {
        await Eventually.HoldsAsync(async () =>
        {
            Assert.False(server.HasExited, "engram serve exited before it answered");
            try
            {
                using var health = await http.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
                return health.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, "engram serve answering /health", TestContext.Current.CancellationToken);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
