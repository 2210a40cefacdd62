using System.Diagnostics;
using System.Net;
using Engram.Testing;

namespace Engram.Server.Tests;

/// <summary>The web viewer at /: its files and headers over HTTP, and the page itself in a real headless Chromium.</summary>
public sealed class ViewerTests
{
    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private const string Injection = "<img src=x onerror=\"document.title='pwned'\">Alice likes tea";

    [Fact]
    public async Task The_page_is_served_with_a_strict_content_security_policy()
    {
        await using var host = await ServerHost.StartAsync();
        using var response = await host.Http.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Csp, string.Join(", ", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(", ", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl?.NoCache, "the page must be revalidated, so an upgraded server serves its own viewer");
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("<script type=\"module\" src=\"/viewer.js\"></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/viewer.js", "text/javascript")]
    [InlineData("/common.js", "text/javascript")]
    [InlineData("/detail.js", "text/javascript")]
    [InlineData("/insight.js", "text/javascript")]
    [InlineData("/charts.js", "text/javascript")]
    [InlineData("/viewer.css", "text/css")]
    public async Task Script_and_style_are_served_with_their_types(string path, string mediaType)
    {
        await using var host = await ServerHost.StartAsync();
        using var response = await host.Http.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal("nosniff", string.Join(", ", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl?.NoCache);
    }

    [Theory]
    [InlineData("/viewer.js")]
    [InlineData("/common.js")]
    [InlineData("/detail.js")]
    [InlineData("/insight.js")]
    [InlineData("/charts.js")]
    public async Task The_scripts_never_turn_data_into_markup_or_code(string script)
    {
        await using var host = await ServerHost.StartAsync();
        var js = await host.Http.GetStringAsync(script, TestContext.Current.CancellationToken);
        foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function" })
        {
            Assert.DoesNotContain(sink, js, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/index.html")]
    [InlineData("/viewer.js/x")]
    [InlineData("/Viewer/viewer.js")]
    [InlineData("/nothing-here")]
    public async Task Other_paths_are_still_not_found(string path)
    {
        await using var host = await ServerHost.StartAsync();
        using var response = await host.Http.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task With_keys_the_page_loads_without_one_but_the_api_still_needs_it()
    {
        string key = "";
        await using var host = await ServerHost.StartAsync(before: async store => key = await ServerHost.CreateKeyAsync(store, "acme"));
        foreach (var path in new[] { "/", "/viewer.js", "/viewer.css" })
        {
            using var response = await host.SendAsync(HttpMethod.Get, path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode} without a key");
        }
        Assert.Equal(401, (await host.JsonAsync(HttpMethod.Get, "/api/v1/memories")).Status);
        Assert.Equal(401, (await host.JsonAsync(HttpMethod.Get, "/api/v1/stream")).Status);
        Assert.Equal(200, (await host.JsonAsync(HttpMethod.Get, "/api/v1/memories", key: key)).Status);
    }

    [Fact]
    public async Task A_keyless_server_serves_the_page_only_as_a_local_host()
    {
        await using var host = await ServerHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = "attacker.example";
        using var response = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
    }

    [Fact]
    public async Task In_a_browser_memories_are_shown_as_text_never_as_markup()
    {
        await using var host = await ServerHost.StartAsync();
        await host.AddAsync("Bob likes coffee", userId: "bob");
        await host.AddAsync(Injection, userId: "alice");

        var dom = await DumpDomAsync(host.Address);

        Assert.Contains("Alice likes tea", dom, StringComparison.Ordinal);
        Assert.Contains("Bob likes coffee", dom, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", dom, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<title>Engram</title>", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("<title>pwned", dom, StringComparison.Ordinal);
        // The stream connected, and the health badge shows the server's answer.
        Assert.Contains("class=\"badge ok\">live<", dom, StringComparison.Ordinal);
        Assert.Contains("ok · v", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_a_browser_a_server_with_keys_asks_for_one_and_shows_nothing_without_it()
    {
        string key = "";
        await using var host = await ServerHost.StartAsync(before: async store => key = await ServerHost.CreateKeyAsync(store, "acme"));
        await host.AddAsync("Acme's deploy window is Tuesday", key: key);

        var dom = await DumpDomAsync(host.Address);

        Assert.Contains("<form id=\"key-form\" class=\"bar\">", dom, StringComparison.Ordinal);
        Assert.Contains("<main id=\"main\" hidden=\"\">", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("deploy window", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_a_browser_a_memory_added_after_the_page_loaded_appears_without_a_reload()
    {
        await using var host = await ServerHost.StartAsync();
        await host.AddAsync("Bob likes coffee", userId: "bob");
        await using var page = await DevToolsPage.OpenAsync(Chromium(), host.Address);
        await page.WaitForAsync("document.body.innerText.includes('Bob likes coffee') && document.getElementById('live').textContent === 'live'");

        await host.AddAsync("Carol wrote this while the page was open", userId: "carol");
        await page.WaitForAsync("document.getElementById('list').innerText.includes('Carol wrote this while the page was open')");
        await page.WaitForAsync("document.getElementById('list').firstElementChild.innerText.includes('Carol wrote this')");
    }

    /// <summary>Loads the page in headless Chromium and returns the DOM once its scripts have run.</summary>
    private static async Task<string> DumpDomAsync(Uri address)
    {
        var chromium = Chromium();
        using var profile = new TempFolder();
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--user-data-dir=" + profile.Path, "--virtual-time-budget=10000", "--dump-dom", address.ToString(),
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Eventually.HangGuard);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"chromium did not finish within the hang guard; its errors: {await stderr}");
        }
        var dom = await stdout;
        Assert.True(process.ExitCode == 0 && dom.Length > 0, $"chromium exited with {process.ExitCode} and {dom.Length} characters; its errors: {await stderr}");
        return dom;
    }

    internal static string Chromium() => FindChromium() ?? throw new InvalidOperationException(
        "the viewer's browser tests need Chromium, and neither 'chromium' nor 'chromium-browser' is on PATH: install it (apt-get install chromium)");

    private static string? FindChromium()
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return new[] { "chromium", "chromium-browser" }
            .SelectMany(name => folders.Select(folder => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists);
    }
}
