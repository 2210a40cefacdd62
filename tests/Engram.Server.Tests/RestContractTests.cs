using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Engram.Server.Tests;

/// <summary>
/// Golden-JSON tests of the REST contract: each response, with ids and times replaced by stable
/// placeholders, must equal the file in Golden/. Set ENGRAM_UPDATE_GOLDEN=1 to rewrite the files
/// after an intended change, and review the diff.
/// </summary>
public sealed partial class RestContractTests : IAsyncLifetime
{
    private ServerHost _host = null!;
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);

    public async ValueTask InitializeAsync() => _host = await ServerHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [GeneratedRegex(@"\b[0-9A-Z]{26}\b")]
    private static partial Regex Ulid();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")]
    private static partial Regex Timestamp();

    private async Task<JsonElement> GoldenAsync(string name, HttpMethod method, string path, string? json = null, int status = 200)
    {
        var (actualStatus, body) = await _host.JsonAsync(method, path, json);
        Assert.True(actualStatus == status, $"{method} {path} answered {actualStatus}, expected {status}: {body}");
        var normalized = Normalize(JsonNode.Parse(body.GetRawText())!).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        var file = Path.Combine(GoldenFolder(), name + ".json");
        // Raw full-text scores are the store's own (BM25 in SQLite, weighted ts_rank in PostgreSQL): a store whose
        // answer differs keeps its own copy in Golden/<store>/, and everything else must match the shared file.
        var own = Path.Combine(GoldenFolder(), ServerHost.StoreKind, name + ".json");
        if (ServerHost.StoreKind != "sqlite" && File.Exists(own)) file = own;
        if (Environment.GetEnvironmentVariable("ENGRAM_UPDATE_GOLDEN") == "1")
        {
            if (ServerHost.StoreKind != "sqlite" && File.Exists(file) && await File.ReadAllTextAsync(file) != normalized) file = own;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, normalized);
        }
        Assert.True(File.Exists(file), $"no golden file {file}; run with ENGRAM_UPDATE_GOLDEN=1 to create it");
        Assert.Equal(await File.ReadAllTextAsync(file), normalized);
        return body;
    }

    /// <summary>Ids become &lt;id1&gt;, &lt;id2&gt;... in order of appearance; times become &lt;time&gt;; trace ids go.</summary>
    private JsonNode Normalize(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                obj.Remove("trace_id");
                foreach (var (key, value) in obj.ToList())
                {
                    if (value is not null) obj[key] = Normalize(value.DeepClone());
                }
                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item) array[i] = Normalize(item.DeepClone());
                }
                return array;
            case JsonValue value when value.TryGetValue<string>(out var text):
                if (Timestamp().IsMatch(text)) return JsonValue.Create("<time>");
                return JsonValue.Create(Ulid().Replace(text, match =>
                {
                    if (!_ids.TryGetValue(match.Value, out var placeholder)) _ids[match.Value] = placeholder = $"<id{_ids.Count + 1}>";
                    return placeholder;
                }));
            default:
                return node;
        }
    }

    private static string GoldenFolder([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Golden");

    [Fact]
    public async Task The_mem0_shaped_rest_contract_holds_from_add_to_reset()
    {
        var added = await GoldenAsync("add-text", HttpMethod.Post, "/api/v1/memories",
            """{"text":"The staging database runs PostgreSQL 16 on port 6543","user_id":"alice","project":"github.com/acme/app","metadata":{"source":"docs","version":2}}""");
        var id = added.GetProperty("results")[0].GetProperty("id").GetString()!;

        await GoldenAsync("add-messages", HttpMethod.Post, "/api/v1/memories",
            """{"messages":[{"role":"user","content":"I am vegetarian and allergic to nuts"},{"role":"assistant","content":"Noted: vegetarian, no nuts."}],"user_id":"alice","run_id":"chat-1"}""");
        await GoldenAsync("add-duplicate", HttpMethod.Post, "/api/v1/memories",
            """{"text":"The staging database runs PostgreSQL 16 on port 6543","user_id":"alice","project":"github.com/acme/app"}""");

        await GoldenAsync("search", HttpMethod.Post, "/api/v1/search", """{"query":"which port does the staging db use","user_id":"alice","limit":5}""");
        await GoldenAsync("search-filters", HttpMethod.Post, "/api/v1/search",
            """{"query":"nuts vegetarian","filters":{"user_id":"alice","kind":"message","role":"user"}}""");
        await GoldenAsync("search-other-user", HttpMethod.Post, "/api/v1/search", """{"query":"staging database","user_id":"bob"}""");

        await GoldenAsync("list", HttpMethod.Get, "/api/v1/memories?user_id=alice&page_size=2");
        await GoldenAsync("list-page-2", HttpMethod.Get, "/api/v1/memories?user_id=alice&page_size=2&page=2");
        await GoldenAsync("get", HttpMethod.Get, $"/api/v1/memories/{id}");
        await GoldenAsync("update", HttpMethod.Put, $"/api/v1/memories/{id}", """{"text":"The staging database runs PostgreSQL 17 on port 6543","reason":"upgraded"}""");
        await GoldenAsync("history", HttpMethod.Get, $"/api/v1/memories/{id}/history");
        await GoldenAsync("sessions", HttpMethod.Get, "/api/v1/sessions");
        await GoldenAsync("delete", HttpMethod.Delete, $"/api/v1/memories/{id}");
        await GoldenAsync("get-deleted", HttpMethod.Get, $"/api/v1/memories/{id}", status: 404);
        await GoldenAsync("history-after-delete", HttpMethod.Get, $"/api/v1/memories/{id}/history");
        await GoldenAsync("reset-scope", HttpMethod.Post, "/api/v1/reset", """{"run_id":"chat-1"}""");
        await GoldenAsync("list-after-reset", HttpMethod.Get, "/api/v1/memories");
        await GoldenAsync("health", HttpMethod.Get, "/health");
    }

    [Fact]
    public async Task Bad_requests_get_problem_details_that_name_the_problem()
    {
        await GoldenAsync("problem-malformed", HttpMethod.Post, "/api/v1/search", """{"query": "x", """, status: 400);
        await GoldenAsync("problem-wrong-type", HttpMethod.Post, "/api/v1/search", """{"query":"x","limit":"ten"}""", status: 400);
        await GoldenAsync("problem-wrong-type-array", HttpMethod.Post, "/api/v1/memories", """{"messages":"hello"}""", status: 400);
        await GoldenAsync("problem-wrong-type-string", HttpMethod.Post, "/api/v1/search", """{"query": 5}""", status: 400);
        await GoldenAsync("problem-not-object", HttpMethod.Post, "/api/v1/memories", "[1,2]", status: 400);
        await GoldenAsync("problem-missing-text", HttpMethod.Post, "/api/v1/memories", """{"user_id":"alice"}""", status: 400);
        await GoldenAsync("problem-limit", HttpMethod.Post, "/api/v1/search", """{"query":"x","limit":1000}""", status: 400);
        await GoldenAsync("problem-bad-kind", HttpMethod.Post, "/api/v1/memories", """{"text":"x","kind":"dream"}""", status: 400);
        await GoldenAsync("problem-bad-query", HttpMethod.Get, "/api/v1/memories?page_size=0", status: 400);
        await GoldenAsync("problem-unknown-id", HttpMethod.Get, "/api/v1/memories/01JZZZZZZZZZZZZZZZZZZZZZZZ", status: 404);
        await GoldenAsync("problem-unknown-route", HttpMethod.Get, "/api/v1/nothing-here", status: 404);
        await GoldenAsync("problem-infer", HttpMethod.Post, "/api/v1/memories", """{"text":"x","infer":true}""", status: 400);

        using var notJson = new HttpRequestMessage(HttpMethod.Post, "/api/v1/search") { Content = new StringContent("query=x") };
        using var response = await _host.Http.SendAsync(notJson, TestContext.Current.CancellationToken);
        Assert.Equal(415, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
