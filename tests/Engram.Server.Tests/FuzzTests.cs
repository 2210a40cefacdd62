using System.Text;
using System.Text.Json;

namespace Engram.Server.Tests;

/// <summary>
/// Hostile requests to every route, over a raw socket so nothing is cleaned up on the way: the server must
/// answer each one with a status below 500 and never show a stack trace. A fixed seed keeps a failure
/// reproducible; the count is bounded so the suite stays quick on a loaded machine.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Paths =
    [
        "/api/v1/memories", "/api/v1/memories/{id}", "/api/v1/memories/{id}/history", "/api/v1/memories/%00", "/api/v1/memories/%FF%FE",
        "/api/v1/memories/..%2F..%2Fetc%2Fpasswd", "/api/v1/search", "/api/v1/reset", "/api/v1/sessions", "/health", "/openapi/v1.json", "/mcp",
        "/api/v1/memories/" + new string('9', 3000),
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

    private static readonly string[] Queries =
    [
        "", "?meta=a%00=b", "?meta=%00", "?meta==", "?meta=a", "?meta=%22=x", "?meta=a.b%5B0%5D=c", "?meta=$.x=1", "?page=-1", "?page=99999999999999",
        "?page_size=0", "?limit=1e9", "?since=not-a-date", "?until=%00", "?since=9999-99-99", "?kind=%ud83d", "?kind=fact,,,nope",
        "?user_id=%00", "?user_id=%FF", "?user_id=%ED%A0%BD", "?project=" + new string('p', 4000), "?all=%00", "?reason=%0d%0aX-Injected:1",
        "?session_id=a&run_id=b", "?a=1&a=2&a=3", "?%=%", "?meta=k=v&meta=k=w", "?cwd=/etc&project=%00",
    ];

    private static readonly string[] Bodies =
    [
        "", "{", "}", "null", "[]", "\"text\"", "123", "{\"text\":", "{\"text\":\"cut \\ud83d\"}", "{\"text\":\"\\udc00 low first\"}",
        "{\"text\":\"a\\u0000b\"}", "{\"text\":5}", "{\"text\":[\"x\"]}", "{\"text\":{\"a\":1}}", "{\"text\":true}", "{\"text\":\"ok\",\"kind\":\"\\ud83d\"}",
        "{\"text\":\"ok\",\"metadata\":{\"k\":\"\\ud83d\"}}", "{\"text\":\"ok\",\"metadata\":{\"\\u0000\":\"x\"}}", "{\"text\":\"ok\",\"metadata\":{\"\\\"\":\"x\"}}",
        "{\"text\":\"ok\",\"metadata\":{\"\":\"x\"}}", "{\"text\":\"ok\",\"metadata\":[1,2]}", "{\"text\":\"ok\",\"importance\":1e400}", "{\"text\":\"ok\",\"importance\":-5}",
        "{\"text\":\"ok\",\"importance\":NaN}", "{\"messages\":[{\"role\":\"\\ud83d\",\"content\":\"x\"}]}", "{\"messages\":[null]}", "{\"messages\":{}}",
        "{\"query\":\"\\ud83d\"}", "{\"query\":\"x\",\"limit\":\"5\"}", "{\"query\":\"x\",\"limit\":99999999999}", "{\"query\":\"x\",\"filters\":{\"metadata\":{\"\\u0000\":\"\\ud83d\"}}}",
        "{\"query\":\"x\",\"filters\":{\"kind\":[1,2]}}", "{\"query\":\"x\",\"filters\":{\"since\":\"\\ud83d\"}}", "{\"query\":\"x\",\"filters\":{\"a\":{\"b\":1}}}",
        "{\"query\":\"x\",\"filters\":null}", "{\"query\":\"\\u0000*\\\"() OR AND NEAR\"}", "{\"query\":\"\\\"\\\"\\\"\"}", "{\"user_id\":\"\\ud83d\"}",
        "{\"session_id\":\"a\",\"run_id\":\"b\"}", "{\"text\":\"x\",\"session_id\":\"\\u0000\"}", "{\"memory\":\"x\",\"text\":\"y\"}",
        "{\"jsonrpc\":\"2.0\"}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{\"query\":\"\\ud83d\"}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"x\"}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":\"x\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"remember\",\"arguments\":{\"text\":5}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"get_observations\",\"arguments\":{\"ids\":\"\\u0000\"}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"engram://memory/%00\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1e400,\"method\":\"ping\"}", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", "{\"text\":\"ok\"}garbage", "\uFEFF{\"text\":\"bom\"}",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=latin1", "application/json; charset=\"", "application/vnd.x+json",
        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/json, text/plain", ";;;", "",
    ];

    private static readonly string[] ExtraHeaders =
    [
        "Accept: application/json, text/event-stream", "Accept: */*", "Accept: text/event-stream", "Accept: ;q=x", "Authorization:", "Authorization: Bearer",
        "Last-Event-ID: %00", "MCP-Protocol-Version: 2999-01-01", "MCP-Protocol-Version: \u00ff", "Mcp-Session-Id: x", "Content-Encoding: gzip",
        "Expect: 100-continue", "X-Forwarded-For: ::1, evil", "Range: bytes=0-1", "If-None-Match: *", "Cookie: a=" + new string('c', 2000),
    ];

    private static readonly string[] ChunkSizes = ["{n}", "{n}", "ffffffffffffffff", "10000000000000000", "{n};ext=1", "-1", "zz", "0{n}", " {n}"];

    [Fact]
    public async Task Rest_and_mcp_answer_every_hostile_request_without_a_server_error_or_a_stack_trace()
    {
        await using var host = await ServerHost.StartAsync();
        var id = await host.AddAsync("Fuzz target memory", userId: "alice", session: "s1");
        var random = new Random(20261130);
        var failures = new List<string>();
        for (var i = 0; i < 600; i++)
        {
            var method = Methods[random.Next(Methods.Length)];
            var path = Paths[random.Next(Paths.Length)].Replace("{id}", id, StringComparison.Ordinal);
            if (path == "/mcp" && random.Next(2) == 0) method = "POST";
            var target = path + (random.Next(3) == 0 ? "" : Queries[random.Next(Queries.Length)]);
            List<string> headers = [$"Host: 127.0.0.1:{host.Address.Port}"];
            headers.AddRange(Enumerable.Range(0, random.Next(3)).Select(_ => ExtraHeaders[random.Next(ExtraHeaders.Length)]).Distinct());
            byte[]? body = null;
            if (method is not "GET" and not "HEAD" || random.Next(10) == 0)
            {
                body = Body(random);
                var type = random.Next(4) == 0 ? ContentTypes[random.Next(ContentTypes.Length)] : "application/json";
                if (type.Length > 0) headers.Add("Content-Type: " + type);
            }
            var chunked = body is not null && random.Next(3) == 0;
            if (chunked)
            {
                // A hand-made chunked body whose size line may be hostile.
                headers.Add("Transfer-Encoding: chunked");
                var size = ChunkSizes[random.Next(ChunkSizes.Length)].Replace("{n}", body!.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
                body = [.. Encoding.ASCII.GetBytes(size + "\r\n"), .. body, .. "\r\n0\r\n\r\n"u8];
            }
            var response = await RawHttp.SendBytesAsync(host.Address, method, target, headers, body, chunkedAsIs: chunked);
            Check(failures, $"#{i} {method} {target} [{string.Join(" | ", headers.Skip(1))}] {Shorten(body)}", response);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers:\n" + string.Join("\n", failures.Take(20)));

        // The server is still whole: a normal add works and can be read back.
        var after = await host.AddAsync("Added after the fuzzing");
        Assert.Equal(200, (await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{after}")).Status);
    }

    [Fact]
    public async Task Huge_and_deeply_nested_bodies_are_refused_with_a_client_error()
    {
        await using var host = await ServerHost.StartAsync();
        var failures = new List<string>();
        var deep = Encoding.UTF8.GetBytes(new string('[', 100_000) + new string(']', 100_000));
        var deepObject = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"text\":", 5000)) + "1" + new string('}', 5000));
        var huge = new byte[20 * 1024 * 1024];
        Array.Fill(huge, (byte)'a');
        "{\"text\":\""u8.CopyTo(huge);
        byte[] invalidUtf8 = [.. "{\"text\":\"bad "u8, 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0xBD, .. "\"}"u8];
        foreach (var path in new[] { "/api/v1/memories", "/api/v1/search", "/mcp", "/api/v1/reset" })
        {
            foreach (var (name, body) in new[] { ("deep array", deep), ("deep object", deepObject), ("20 MB", huge), ("invalid UTF-8", invalidUtf8) })
            {
                var response = await RawHttp.SendBytesAsync(host.Address, "POST", path,
                    [$"Host: 127.0.0.1:{host.Address.Port}", "Content-Type: application/json", "Accept: application/json, text/event-stream"], body);
                Check(failures, $"{name} to {path}", response);
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("ffffffffffffffff")]
    [InlineData("10000000000000000")]
    [InlineData("-1")]
    [InlineData("zz")]
    public async Task A_malformed_chunk_size_gets_a_problem_400(string size)
    {
        await using var host = await ServerHost.StartAsync();
        foreach (var path in new[] { "/api/v1/memories", "/mcp" })
        {
            var body = Encoding.ASCII.GetBytes($"{size}\r\n{{\"text\":\"x\"}}\r\n0\r\n\r\n");
            var response = await RawHttp.SendBytesAsync(host.Address, "POST", path,
                [$"Host: 127.0.0.1:{host.Address.Port}", "Content-Type: application/json", "Accept: application/json, text/event-stream", "Transfer-Encoding: chunked"], body, chunkedAsIs: true);
            Assert.True(response.Status == 400, $"{path}: {response}");
            Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_nul_in_a_metadata_query_gets_a_problem_400()
    {
        await using var host = await ServerHost.StartAsync();
        var response = await RawHttp.SendAsync(host.Address, "GET", "/api/v1/memories?meta=a%00=b", [$"Host: 127.0.0.1:{host.Address.Port}"]);
        Assert.True(response.Status == 400, response.ToString());
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_surrogate_is_kept_as_a_replacement_character_and_the_rest_is_stored()
    {
        await using var host = await ServerHost.StartAsync();
        var (status, body) = await host.JsonAsync(HttpMethod.Post, "/api/v1/memories", "{\"text\":\"cut \\ud83d here\",\"metadata\":{\"tool\":\"x\\udc00y\"}}");
        Assert.True(status == 200, body.ToString());
        var item = body.GetProperty("results")[0];
        Assert.Equal("cut \uFFFD here", item.GetProperty("memory").GetString());
        Assert.Equal("x\uFFFDy", item.GetProperty("metadata").GetProperty("tool").GetString());
        var (_, pair) = await host.JsonAsync(HttpMethod.Post, "/api/v1/memories", "{\"text\":\"whole \\ud83d\\ude00 emoji\"}");
        Assert.Equal("whole \U0001F600 emoji", pair.GetProperty("results")[0].GetProperty("memory").GetString());
    }

    private static void Check(List<string> failures, string what, RawResponse response)
    {
        if (response.Status is < 100 or >= 500) failures.Add($"{what} -> {response}");
        else if (response.Body.Contains("   at ", StringComparison.Ordinal) || response.Body.Contains("Exception", StringComparison.Ordinal)) failures.Add($"{what} -> stack trace or exception: {response}");
    }

    private static byte[] Body(Random random) => random.Next(8) switch
    {
        0 => [.. Enumerable.Range(0, random.Next(1, 200)).Select(_ => (byte)random.Next(256))],
        1 => [.. Encoding.UTF8.GetBytes(Bodies[random.Next(Bodies.Length)]).Take(random.Next(1, 40))],
        _ => Encoding.UTF8.GetBytes(Bodies[random.Next(Bodies.Length)]),
    };

    private static string Shorten(byte[]? body)
    {
        if (body is null) return "";
        var text = Encoding.UTF8.GetString(body);
        return text.Length > 120 ? text[..120] + "…" : text;
    }
}
