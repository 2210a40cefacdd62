using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engram.Testing;

namespace Engram.Server.Tests;

/// <summary>
/// One page of a headless Chromium driven over the DevTools protocol: navigate, then evaluate script
/// until a condition holds. For what <c>--dump-dom</c> cannot show, such as a change that arrives
/// after the page has loaded.
/// </summary>
internal sealed class DevToolsPage : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempFolder _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;
    private (string Url, string Html)? _served;

    private DevToolsPage(Process process, TempFolder profile)
    {
        _process = process;
        _profile = profile;
    }

    public static Task<DevToolsPage> OpenAsync(string chromium, Uri address, params string[] extraArguments) =>
        OpenAsync(chromium, address, null, extraArguments);

    /// <summary>
    /// Opens <paramref name="address"/> but answers that one request itself with <paramref name="html"/>, so a page
    /// has the origin of a server it did not come from: what DNS rebinding achieves once the name points elsewhere.
    /// </summary>
    public static Task<DevToolsPage> OpenServedAsync(string chromium, Uri address, string html, params string[] extraArguments) =>
        OpenAsync(chromium, address, html, extraArguments);

    private static async Task<DevToolsPage> OpenAsync(string chromium, Uri address, string? html, string[] extraArguments)
    {
        var profile = new TempFolder();
        var start = new ProcessStartInfo(chromium) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        string[] arguments =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile.Path,
            .. extraArguments, "about:blank",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var page = new DevToolsPage(Process.Start(start)!, profile);
        try
        {
            _ = page._process.StandardOutput.ReadToEndAsync();
            // Chromium names its DevTools port on stderr once it listens.
            using var timeout = new CancellationTokenSource(Eventually.HangGuard);
            string? browserUrl = null;
            while (browserUrl is null)
            {
                var line = await page._process.StandardError.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException("chromium ended before its DevTools endpoint was listening");
                var at = line.IndexOf("ws://", StringComparison.Ordinal);
                if (line.StartsWith("DevTools listening on", StringComparison.Ordinal) && at >= 0) browserUrl = line[at..].Trim();
            }
            _ = page._process.StandardError.ReadToEndAsync();
            var devtools = new Uri(browserUrl);
            using var http = new HttpClient();
            var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://{devtools.Authority}/json/list"), timeout.Token))!.AsArray();
            var target = targets.First(t => (string?)t!["type"] == "page")!;
            await page._socket.ConnectAsync(new Uri((string)target["webSocketDebuggerUrl"]!), timeout.Token);
            if (html is not null)
            {
                page._served = (address.ToString(), html);
                await page.SendAsync("Fetch.enable", new JsonObject { ["patterns"] = new JsonArray(new JsonObject { ["urlPattern"] = address.ToString() }) });
            }
            await page.SendAsync("Page.navigate", new JsonObject { ["url"] = address.ToString() });
            return page;
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    /// <summary>Evaluates <paramref name="condition"/> (a JavaScript expression) until it is true (bounded only by the hang guard).</summary>
    public async Task WaitForAsync(string condition)
    {
        await Eventually.HoldsAsync(async () =>
        {
            var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = condition, ["returnByValue"] = true });
            return result["result"]?["value"]?.GetValueKind() == JsonValueKind.True;
        }, $"the page satisfying {condition}", async () =>
        {
            var text = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = "document.body ? document.body.innerText : ''", ["returnByValue"] = true });
            return $"the page shows: {text["result"]?["value"]}";
        }, TestContext.Current.CancellationToken);
    }

    /// <summary>The value of a JavaScript expression (awaited when it is a promise), as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        return result["result"]?["value"];
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters)
    {
        var id = ++_nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        using var timeout = new CancellationTokenSource(Eventually.HangGuard);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var text = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, timeout.Token);
                text.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);
            // Events carry no id; only the answer to this command does.
            var answer = JsonNode.Parse(text.ToArray())!;
            if ((string?)answer["method"] == "Fetch.requestPaused" && _served is { } served)
            {
                await FulfilAsync(answer["params"]!, served, timeout.Token);
                continue;
            }
            if ((int?)answer["id"] != id) continue;
            if (answer["error"] is { } error) throw new InvalidOperationException($"DevTools {method} failed: {error.ToJsonString()}");
            return answer["result"]!;
        }
    }

    private async Task FulfilAsync(JsonNode paused, (string Url, string Html) served, CancellationToken cancellationToken)
    {
        var reply = new JsonObject
        {
            ["id"] = ++_nextId,
            ["method"] = "Fetch.fulfillRequest",
            ["params"] = new JsonObject
            {
                ["requestId"] = (string?)paused["requestId"],
                ["responseCode"] = 200,
                ["responseHeaders"] = new JsonArray(new JsonObject { ["name"] = "Content-Type", ["value"] = "text/html; charset=utf-8" }),
                ["body"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(served.Html)),
            },
        };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(reply.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _profile.Dispose();
    }
}
