using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Sqlite;
using Engram.Testing;
using Microsoft.Extensions.AI;

namespace Engram.Providers.Tests;

public sealed class ClaudeCodeChatClientTests : IDisposable
{
    private readonly FakeClaudeCli _claude = new();
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        _claude.Dispose();
        _folder.Dispose();
    }

    private ClaudeCodeChatClient Client() => new("haiku", Path.Combine(_claude.Folder, "claude"));

    [Fact]
    public async Task Runs_claude_headless_without_tools_or_hooks_and_reads_its_json()
    {
        _claude.Reply("""{"facts": ["Alice likes tea"]}""", inputTokens: 321, outputTokens: 12);
        using var client = Client();
        var response = await client.GetResponseAsync([new(ChatRole.System, "Extract facts."), new(ChatRole.User, "I like tea")], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("""{"facts": ["Alice likes tea"]}""", response.Text);
        Assert.Equal(321, response.Usage!.InputTokenCount);
        Assert.Equal(12, response.Usage.OutputTokenCount);

        var args = Assert.Single(_claude.Arguments);
        Assert.Equal(["-p", "--model", "haiku", "--output-format", "json", "--no-session-persistence", "--tools", "", "--max-turns", "1",
            "--settings", "{\"disableAllHooks\":true}", "--system-prompt", "Extract facts."], args);
        Assert.Contains("I like tea", Assert.Single(_claude.Stdins), StringComparison.Ordinal);
        Assert.Equal("1", Assert.Single(_claude.Guards));
    }

    [Fact]
    public async Task Failures_are_errors_that_say_what_happened()
    {
        using var client = Client();
        var none = await Assert.ThrowsAsync<EngramException>(() => client.GetResponseAsync([new(ChatRole.User, "hi")], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("exited with 3: no reply scripted", none.Message, StringComparison.Ordinal);

        using var missing = new ClaudeCodeChatClient("haiku", Path.Combine(_folder.Path, "no-such-claude"));
        var absent = await Assert.ThrowsAsync<EngramException>(() => missing.GetResponseAsync([new(ChatRole.User, "hi")], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("needs the Claude Code CLI", absent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_works_through_the_users_claude_subscription()
    {
        await using var store = new SqliteMemoryStore(_folder.File("engram.db"));
        using var client = Client();
        var service = new MemoryService(store, chat: client);
        _claude.Reply("""{"facts": ["Alice's cat is called Miso"]}""");
        _claude.Reply("""{"actions": [{"event": "ADD", "text": "Alice's cat is called Miso"}]}""");
        var result = await service.AddAsync(new AddMemoryRequest { Content = "my cat Miso says hi", Scope = new MemoryScope { UserId = "alice" }, Infer = true }, TestContext.Current.CancellationToken);
        Assert.Null(result.InferenceError);
        Assert.Equal("Alice's cat is called Miso", result.Results.Single().Memory.Content);
    }
}

public sealed class AnthropicChatTests : IAsyncDisposable
{
    private readonly FakeOpenAiServer _server = new();
    private readonly TempFolder _folder = new();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Infer_works_through_the_anthropic_sdk_against_the_messages_api()
    {
        var root = new Uri(_server.BaseUrl[..^"/v1".Length]);
        using var chat = AnthropicChat.Create("claude-haiku-test", "sk-ant-test", root);
        await using var store = new SqliteMemoryStore(_folder.File("engram.db"));
        var service = new MemoryService(store, chat: chat);
        _server.ChatReplies.Enqueue("""{"facts": ["Alice runs on Sundays"]}""");
        _server.ChatReplies.Enqueue("""{"actions": [{"event": "ADD", "text": "Alice runs on Sundays"}]}""");
        var result = await service.AddAsync(new AddMemoryRequest { Content = "Sunday is my running day", Scope = new MemoryScope { UserId = "alice" }, Infer = true }, TestContext.Current.CancellationToken);
        Assert.Null(result.InferenceError);
        Assert.Equal("Alice runs on Sundays", result.Results.Single().Memory.Content);

        var requests = _server.Requests.Where(r => r.Path == "/v1/messages").ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("Bearer sk-ant-test", r.Authorization)); // the SDK sends the key as a bearer token
        Assert.All(requests, r => Assert.Equal("claude-haiku-test", r.Body!["model"]!.GetValue<string>()));
        // The prompt's system text goes in Anthropic's system field, the conversation in messages.
        Assert.Contains("You extract memories", requests[0].Body!["system"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("Sunday is my running day", requests[0].Body!["messages"]!.ToJsonString(), StringComparison.Ordinal);
    }
}
