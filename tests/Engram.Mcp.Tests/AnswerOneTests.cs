using System.Text.Json.Nodes;
using Engram.Core.Model;
using Engram.Core.Security;
using Engram.Core.Storage;

namespace Engram.Mcp.Tests;

/// <summary>
/// <see cref="EngramMcpServer.AnswerOneAsync"/>, how the worker answers one of engram-mcp's tool calls: the answer a
/// session gives, under the id the request came with however it was spelled, and never a wait for an answer the
/// server cannot tie to the request.
/// </summary>
public sealed class AnswerOneTests : IAsyncDisposable
{
    private const string SearchCall = "\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{\"query\":\"release branch\"}}";
    private readonly McpPair _pair = new();

    public ValueTask DisposeAsync() => _pair.DisposeAsync();

    private Task<string> AnswerAsync(string request, EngramCaller? caller = null) =>
        EngramMcpServer.AnswerOneAsync(_pair.Memory, caller ?? EngramCaller.Default, request, "2025-06-18", TestContext.Current.CancellationToken);

    [Fact]
    public async Task One_request_gets_the_answer_a_session_gives_under_the_id_it_came_with()
    {
        await _pair.Memory.AddAsync(new AddMemoryRequest { Content = "The release branch is cut every second Tuesday", Kind = MemoryKind.Fact }, TestContext.Current.CancellationToken);
        var client = await _pair.ConnectAsync(EngramCaller.Default);
        var inSession = await client.CallTextAsync("search", new() { ["query"] = "release branch" });
        Assert.Contains("second Tuesday", inSession, StringComparison.Ordinal);

        foreach (var (id, echoed) in new[] { ("7", "7"), ("-12", "-12"), ("\"a\\u0062c\"", "\"abc\"") })
        {
            var answer = JsonNode.Parse(await AnswerAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{id},{SearchCall}}}"))!;
            Assert.Equal(echoed, answer["id"]!.ToJsonString());
            Assert.Equal(inSession, answer["result"]!["content"]![0]!["text"]!.GetValue<string>());
        }

        var otherTenant = JsonNode.Parse(await AnswerAsync($"{{\"jsonrpc\":\"2.0\",\"id\":1,{SearchCall}}}", new EngramCaller("other")))!;
        Assert.StartsWith("No memories match", otherTenant["result"]!["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);

        // A request the server cannot read is answered with its error, not waited on.
        var unreadable = JsonNode.Parse(await AnswerAsync("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"tools/call\"}"))!;
        Assert.NotNull(unreadable["error"]);
    }

    [Theory]
    [InlineData("{\"a\":1}")]
    [InlineData("null")]
    [InlineData("1.5")]
    [InlineData("\"\\ud800\"")]
    public async Task An_id_the_server_could_not_echo_is_refused_at_once(string id)
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => AnswerAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{id},{SearchCall}}}"));
        Assert.Contains("string or an integer", refused.Message, StringComparison.Ordinal);
    }
}
