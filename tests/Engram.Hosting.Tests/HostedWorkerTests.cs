using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Server;
using Engram.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Engram.Hosting.Tests;

/// <summary>
/// Engram hosted in an app's own ASP.NET Core pipeline through the public extension methods only
/// (<c>AddEngram(...).UseSqlite().AddWorker()</c>, <c>MapEngramHooks()</c>): hook events posted over real HTTP on
/// 127.0.0.1 become memories through the hosted worker, in a real SQLite file.
/// </summary>
public sealed class HostedWorkerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private WebApplication NewApp(string home)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddEngram(o => o.Home = home).UseSqlite(Path.Combine(home, "app.db")).AddWorker();
        var app = builder.Build();
        app.MapEngramHooks();
        return app;
    }

    private static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static string ClaudeCodeEvent(string eventName, string session, string cwd, Action<JsonObject> fill)
    {
        var json = new JsonObject
        {
            ["session_id"] = session,
            ["transcript_path"] = Path.Combine(cwd, ".transcript.jsonl"),
            ["cwd"] = cwd,
            ["hook_event_name"] = eventName,
        };
        fill(json);
        return json.ToJsonString();
    }

    [Fact]
    public async Task A_hook_event_posted_to_an_app_becomes_a_memory_through_the_hosted_worker()
    {
        var home = _folder.File("home");
        var repo = _folder.File("repo");
        Directory.CreateDirectory(Path.Combine(repo, "src"));
        await using var app = NewApp(home);
        await app.StartAsync(TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = AddressOf(app) };
        Assert.Equal("127.0.0.1", http.BaseAddress.Host);

        var file = Path.Combine(repo, "src", "invoice.py");
        var edit = ClaudeCodeEvent("PostToolUse", "hosted-1", repo, json =>
        {
            json["tool_name"] = "Edit";
            json["tool_use_id"] = "toolu_hosted_001";
            json["tool_input"] = new JsonObject { ["file_path"] = file, ["old_string"] = "round(total)", ["new_string"] = "round(total, 2)" };
            json["tool_response"] = new JsonObject { ["filePath"] = file, ["oldString"] = "round(total)", ["newString"] = "round(total, 2)" };
        });
        using var posted = await http.PostAsync(new Uri("/api/v1/hooks/claude-code/post-tool-use", UriKind.Relative), new StringContent(edit, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal("{}", await posted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.NotEmpty(posted.Headers.GetValues("Engram-Event-Id").Single());

        // The worker (a hosted service of this app) drains the spool; the memory shows up in the app's own store.
        var memory = app.Services.GetRequiredService<IMemoryService>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<Memory> observations;
        while (true)
        {
            observations = [];
            await foreach (var m in memory.ListAsync(new MemoryFilter { Kinds = [MemoryKind.Observation] }, cancellationToken: TestContext.Current.CancellationToken)) observations.Add(m);
            if (observations.Count > 0) break;
            Assert.True(DateTime.UtcNow < deadline, "the hosted worker did not turn the posted hook event into an observation within 30 s");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        Assert.Contains(observations, o => o.Scope.SessionId == "hosted-1" && o.FilesModified.Any(f => f.EndsWith("invoice.py", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(home, "app.db")), "the memory should be in the app's SQLite file");

        // The context endpoint reads the same store; a session start answers with the SessionStart JSON.
        using var context = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/v1/context?cwd={Uri.EscapeDataString(repo)}", UriKind.Relative), TestContext.Current.CancellationToken));
        Assert.Contains("invoice.py", context.RootElement.GetProperty("context").GetString(), StringComparison.Ordinal);
        var start = ClaudeCodeEvent("SessionStart", "hosted-2", repo, json => json["source"] = "startup");
        using var started = await http.PostAsync(new Uri("/api/v1/hooks/claude-code/session-start", UriKind.Relative), new StringContent(start, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        using var answer = JsonDocument.Parse(await started.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var output = answer.RootElement.GetProperty("hookSpecificOutput");
        Assert.Equal("SessionStart", output.GetProperty("hookEventName").GetString());
        Assert.Contains("invoice.py", output.GetProperty("additionalContext").GetString(), StringComparison.Ordinal);

        using var unknown = await http.PostAsync(new Uri("/api/v1/hooks/claude-code/no-such-event", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // A web page's simple request (text/plain) is refused: no page can plant events in the app's memory.
        using var planted = await http.PostAsync(new Uri("/api/v1/hooks/claude-code/post-tool-use", UriKind.Relative), new StringContent(edit, Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, planted.StatusCode);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Mapping_the_hooks_without_the_worker_says_what_is_missing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddEngram(o => o.Home = _folder.File("bare")).UseSqlite();
        await using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapEngramHooks());
        Assert.Contains("AddWorker()", error.Message, StringComparison.Ordinal);
    }
}
