using System.Text.Json;

namespace Engram.Server.Tests;

/// <summary>Supersede and restore over real HTTP: what changes, what stays in history, and the errors that name the problem.</summary>
public sealed class CorrectionEndpointTests
{
    private static async Task<JsonElement> OkAsync(ServerHost host, HttpMethod method, string path, object? body = null)
    {
        var (status, json) = await host.JsonAsync(method, path, body is null ? null : JsonSerializer.Serialize(body));
        Assert.True(status == 200, $"{method} {path} answered {status}: {json}");
        return json;
    }

    private static async Task<List<string?>> SearchIdsAsync(ServerHost host, string query) =>
        [.. (await OkAsync(host, HttpMethod.Post, "/api/v1/search", new { query })).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString())];

    [Fact]
    public async Task Superseding_replaces_a_memory_in_its_scope_and_keeps_the_old_one_in_history()
    {
        await using var host = await ServerHost.StartAsync();
        var old = await host.AddAsync("The staging database listens on port 5432", userId: "alice");

        var added = await OkAsync(host, HttpMethod.Post, $"/api/v1/memories/{old}/supersede", new { text = "The staging database listens on port 6543", reason = "moved in March" });
        var newId = added.GetProperty("id").GetString();
        Assert.NotEqual(old, newId);
        Assert.Equal("alice", added.GetProperty("user_id").GetString());

        var ended = await OkAsync(host, HttpMethod.Get, $"/api/v1/memories/{old}");
        Assert.Equal(newId, ended.GetProperty("superseded_by").GetString());
        var history = (await OkAsync(host, HttpMethod.Get, $"/api/v1/memories/{old}/history")).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("moved in March", history[^1].GetProperty("reason").GetString());
        Assert.Equal("The staging database listens on port 6543", history[^1].GetProperty("new_memory").GetString());
        Assert.Equal([newId], await SearchIdsAsync(host, "staging database port"));

        var (again, problem) = await host.JsonAsync(HttpMethod.Post, $"/api/v1/memories/{old}/supersede", JsonSerializer.Serialize(new { text = "port 7000" }));
        Assert.Equal(400, again);
        Assert.Contains("already superseded", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (empty, emptyProblem) = await host.JsonAsync(HttpMethod.Post, $"/api/v1/memories/{newId}/supersede", "{}");
        Assert.Equal(400, empty);
        Assert.Contains("text", emptyProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(404, (await host.JsonAsync(HttpMethod.Post, "/api/v1/memories/01JA0000000000000000000000/supersede", "{\"text\":\"x\"}")).Status);
    }

    [Fact]
    public async Task A_deleted_memory_is_restored_under_its_id_with_its_text_scope_and_the_kind_given()
    {
        await using var host = await ServerHost.StartAsync();
        var id = await host.AddAsync("Invoices are exported as CSV with a semicolon separator", userId: "bob");
        Assert.Equal(200, (await host.JsonAsync(HttpMethod.Delete, $"/api/v1/memories/{id}?reason=wrong")).Status);
        Assert.Empty(await SearchIdsAsync(host, "invoices semicolon"));

        var restored = await OkAsync(host, HttpMethod.Post, $"/api/v1/memories/{id}/restore", new { reason = "it was right after all", kind = "block" });
        Assert.Equal((id, "block", "bob"), (restored.GetProperty("id").GetString(), restored.GetProperty("kind").GetString(), restored.GetProperty("user_id").GetString()));
        Assert.Equal("Invoices are exported as CSV with a semicolon separator", restored.GetProperty("memory").GetString());
        Assert.Equal([id], await SearchIdsAsync(host, "invoices semicolon"));
        var history = (await OkAsync(host, HttpMethod.Get, $"/api/v1/memories/{id}/history")).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["ADD", "DELETE", "ADD"], history.Select(h => h.GetProperty("event").GetString()));
        Assert.Equal("restored from history: it was right after all", history[^1].GetProperty("reason").GetString());

        var (twice, problem) = await host.JsonAsync(HttpMethod.Post, $"/api/v1/memories/{id}/restore", "{}");
        Assert.Equal(400, twice);
        Assert.Contains("is current", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (badKind, kindProblem) = await host.JsonAsync(HttpMethod.Post, $"/api/v1/memories/{id}/restore", "{\"kind\":\"poem\"}");
        Assert.Equal(400, badKind);
        Assert.Contains("poem", kindProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(404, (await host.JsonAsync(HttpMethod.Post, "/api/v1/memories/01JA0000000000000000000000/restore", "{}")).Status);
    }

    [Fact]
    public async Task A_superseded_memory_is_restored_as_current()
    {
        await using var host = await ServerHost.StartAsync();
        var old = await host.AddAsync("Deploys happen on Tuesdays");
        await OkAsync(host, HttpMethod.Post, $"/api/v1/memories/{old}/supersede", new { text = "Deploys happen on Thursdays" });
        var restored = await OkAsync(host, HttpMethod.Post, $"/api/v1/memories/{old}/restore", new { reason = "the change was reverted" });
        Assert.False(restored.TryGetProperty("valid_to", out _));
        Assert.False(restored.TryGetProperty("superseded_by", out _));
        Assert.Contains(old, await SearchIdsAsync(host, "deploys Tuesdays"));
    }

    [Fact]
    public async Task Corrections_are_writes_another_tenant_cannot_make_and_a_page_cannot_forge()
    {
        await using var host = await ServerHost.StartAsync();
        var acme = await ServerHost.CreateKeyAsync(host.Store, "acme");
        var globex = await ServerHost.CreateKeyAsync(host.Store, "globex");
        var id = await host.AddAsync("Acme's VPN is on port 1194", key: acme);
        Assert.Equal(404, (await host.JsonAsync(HttpMethod.Post, $"/api/v1/memories/{id}/supersede", "{\"text\":\"x\"}", globex)).Status);
        using var form = await host.SendAsync(HttpMethod.Post, $"/api/v1/memories/{id}/restore", key: acme);
        Assert.Equal(415, (int)form.StatusCode);
    }
}
