using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// kill -9 of engram serve while clients add memories over REST: after a restart, every add the server
/// acknowledged is there exactly once, adds whose answer was lost are retried without duplicates, and no
/// add was ever answered with a 4xx (a client does not retry those).
/// </summary>
public sealed class ServerKillTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _home;

    public ServerKillTests() => _home = _folder.File("home");

    public void Dispose() => _folder.Dispose();

    private Process StartServe(int port)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "engram.dll"));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ENGRAM_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
        start.Environment["ENGRAM_HOME"] = _home;
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private enum Outcome { Acknowledged, Unknown }

    private static async Task<Outcome> AddAsync(HttpClient http, string text, List<string> clientErrors)
    {
        try
        {
            using var body = new StringContent(JsonSerializer.Serialize(new { text, user_id = "killtest" }), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri("/api/v1/memories", UriKind.Relative), body);
            if (response.IsSuccessStatusCode) return Outcome.Acknowledged;
            if ((int)response.StatusCode is >= 400 and < 500) clientErrors.Add($"{(int)response.StatusCode} for '{text}': {await response.Content.ReadAsStringAsync()}");
            return Outcome.Unknown;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return Outcome.Unknown; // the connection died with the server: the add may or may not have happened
        }
    }

    [Fact]
    public async Task Killing_the_server_mid_write_loses_no_acknowledged_add_and_duplicates_none()
    {
        var port = ServerCommandTests.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var server = StartServe(port);
        await ServerCommandTests.WaitForHealthAsync(http, server);

        var acknowledged = new List<string>();
        var unknown = new List<string>();
        var clientErrors = new List<string>();
        var total = 0;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 6).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < 400 && !stop.IsCancellationRequested; i++)
            {
                var text = $"kill test memory from client {c} number {i}";
                var outcome = await AddAsync(http, text, clientErrors);
                lock (acknowledged)
                {
                    (outcome == Outcome.Acknowledged ? acknowledged : unknown).Add(text);
                    total++;
                }
                if (outcome == Outcome.Unknown) return; // the server is gone
            }
        })).ToList();

        // Kill once writes are flowing, so the kill lands in the middle of them.
        while (Volatile.Read(ref total) < 60 && clients.Any(c => !c.IsCompleted)) await Task.Delay(10, TestContext.Current.CancellationToken);
        server.Kill();
        await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        server.Dispose();
        await Task.WhenAll(clients);
        Assert.True(acknowledged.Count >= 60, $"only {acknowledged.Count} adds before the kill");

        server = StartServe(port);
        try
        {
            await ServerCommandTests.WaitForHealthAsync(http, server);
            foreach (var text in unknown) Assert.Equal(Outcome.Acknowledged, await AddAsync(http, text, clientErrors));

            using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/v1/memories?user_id=killtest&page_size=1000", UriKind.Relative), TestContext.Current.CancellationToken));
            var stored = list.RootElement.GetProperty("results").EnumerateArray().Select(m => m.GetProperty("memory").GetString()!).ToList();
            Assert.Empty(clientErrors);
            Assert.Equal(stored.Count, stored.Distinct().Count());
            Assert.Empty(acknowledged.Concat(unknown).Except(stored));
            Assert.Equal(acknowledged.Count + unknown.Count, stored.Count);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
            server.Dispose();
        }
    }
}
