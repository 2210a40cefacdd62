using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Sqlite;
using Engram.Testing;
using Microsoft.Extensions.AI;

namespace Engram.Providers.Tests;

/// <summary>add --infer through the real pipeline, the real store and the chat client over HTTP to a scripted provider.</summary>
public sealed class InferenceTests : IAsyncLifetime
{
    private readonly FakeOpenAiServer _server = new();
    private readonly TempFolder _folder = new();
    private SqliteMemoryStore _store = null!;
    private readonly InstantTimeProvider _time = new();
    private IChatClient _chat = null!;
    private MemoryService _service = null!;
    private static readonly MemoryScope Alice = new() { UserId = "alice" };

    public ValueTask InitializeAsync()
    {
        _store = new SqliteMemoryStore(_folder.File("engram.db"));
        _chat = OpenAiCompatible.Chat(new Uri(_server.BaseUrl), "gpt-test", "sk-test", maxAttempts: 2, time: _time);
        _service = new MemoryService(_store, chat: _chat);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _chat.Dispose();
        await _store.DisposeAsync();
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private Task<AddResult> InferAsync(string text) => _service.AddAsync(new AddMemoryRequest { Content = text, Scope = Alice, Infer = true });

    [Fact]
    public async Task A_contradiction_leaves_one_current_memory_and_one_superseded()
    {
        _server.ChatReplies.Enqueue("""{"facts": ["Alice lives in Berlin"]}""");
        _server.ChatReplies.Enqueue("""{"actions": [{"event": "ADD", "text": "Alice lives in Berlin"}]}""");
        var berlin = (await InferAsync("I live in Berlin, by the way")).Results.Single();
        Assert.Equal(AddOutcome.Added, berlin.Outcome);

        _server.ChatReplies.Enqueue("""{"facts": ["Alice lives in Lisbon"]}""");
        _server.ChatReplies.Enqueue("""{"actions": [{"event": "UPDATE", "ref": 0, "text": "Alice lives in Lisbon"}]}""");
        var lisbon = (await InferAsync("I moved to Lisbon last month")).Results.Single();
        Assert.Equal(AddOutcome.Updated, lisbon.Outcome);
        Assert.Equal(berlin.Memory.Id, lisbon.Previous!.Id);

        var current = await _service.ListAsync(new MemoryFilter { UserId = "alice" }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("Alice lives in Lisbon", Assert.Single(current).Content);
        var old = await _service.GetAsync(berlin.Memory.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(old!.IsCurrent);
        Assert.Equal(lisbon.Memory.Id, old.SupersededBy);
        var history = await _service.GetHistoryAsync(berlin.Memory.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([HistoryEvent.Add, HistoryEvent.Supersede], history.Select(h => h.Event));
        Assert.Equal("Alice lives in Lisbon", history[1].NewValue);
        Assert.Equal("llm", history[1].Actor);
        Assert.DoesNotContain(await _service.SearchAsync(new SearchRequest { Query = "where does alice live berlin" }, TestContext.Current.CancellationToken), h => h.Memory.Id == berlin.Memory.Id);

        // The reconciler saw the Berlin memory as candidate 0; requests carried the model, the key and a JSON response format.
        var requests = _server.Requests.Where(r => r.Path == "/v1/chat/completions").ToList();
        Assert.Equal(4, requests.Count);
        Assert.All(requests, r => Assert.Equal("Bearer sk-test", r.Authorization));
        Assert.All(requests, r => Assert.Equal("gpt-test", r.Body!["model"]!.GetValue<string>()));
        Assert.All(requests, r => Assert.Equal("json_object", r.Body!["response_format"]!["type"]!.GetValue<string>()));
        Assert.Contains("0. Alice lives in Berlin", requests[3].Body!["messages"]![1]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Noop_and_delete_keep_history_and_never_destroy()
    {
        _server.ChatReplies.Enqueue("""{"facts": ["Alice has a cat named Miso", "Alice works at Acme"]}""");
        _server.ChatReplies.Enqueue("""{"actions": [{"event": "ADD", "text": "Alice has a cat named Miso"}, {"event": "ADD", "text": "Alice works at Acme"}]}""");
        var first = await InferAsync("My cat Miso says hi. Work at Acme is busy.");
        Assert.Equal(2, first.Results.Count);

        _server.ChatReplies.Enqueue("""{"facts": ["Alice has a cat named Miso", "Alice no longer works at Acme"]}""");
        _server.ChatReplies.Enqueue("""{"actions": [{"event": "NOOP", "ref": 0}, {"event": "DELETE", "ref": 1}]}""");
        var second = await InferAsync("Miso is fine. I quit Acme.");
        Assert.Equal([AddOutcome.Unchanged, AddOutcome.Invalidated], second.Results.Select(r => r.Outcome));

        var current = await _service.ListAsync(new MemoryFilter { UserId = "alice" }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("Alice has a cat named Miso", Assert.Single(current).Content);
        var acme = second.Results[1].Memory;
        Assert.NotNull((await _service.GetAsync(acme.Id, cancellationToken: TestContext.Current.CancellationToken))!.ValidTo);
        Assert.Equal(HistoryEvent.Supersede, (await _service.GetHistoryAsync(acme.Id, cancellationToken: TestContext.Current.CancellationToken))[^1].Event);
    }

    [Fact]
    public async Task An_unusable_answer_is_sent_back_once_then_the_input_is_kept_verbatim()
    {
        _server.ChatReplies.Enqueue("Sure! Here are the facts: Alice likes tea.");
        _server.ChatReplies.Enqueue("""{"facts": ["Alice likes tea"]}""");
        _server.ChatReplies.Enqueue("""{"actions": [{"event": "ADD", "text": "Alice likes tea"}]}""");
        var recovered = await InferAsync("I like tea");
        Assert.Null(recovered.InferenceError);
        Assert.Equal("Alice likes tea", recovered.Results.Single().Memory.Content);
        var retry = _server.Requests.Where(r => r.Path == "/v1/chat/completions").ElementAt(1);
        Assert.Contains("That answer was rejected", retry.Body!["messages"]!.AsArray().Last()!["content"]!.GetValue<string>(), StringComparison.Ordinal);

        _server.ChatReplies.Enqueue("not json");
        _server.ChatReplies.Enqueue("""{"facts": "also wrong"}""");
        var kept = await InferAsync("My sister's name is Dana");
        Assert.NotNull(kept.InferenceError);
        var memory = kept.Results.Single().Memory;
        Assert.Equal("My sister's name is Dana", memory.Content);
        Assert.Equal("true", memory.Metadata["needs_inference"]);
    }

    [Fact]
    public async Task A_provider_that_is_down_loses_nothing()
    {
        _server.AlwaysFail = 500;
        var kept = await InferAsync("Remember that the deploy key rotates on Fridays");
        Assert.Contains("answered 500 after 2 attempt(s)", kept.InferenceError, StringComparison.Ordinal);
        Assert.Equal("Remember that the deploy key rotates on Fridays", kept.Results.Single().Memory.Content);
        Assert.Equal(2, _server.Requests.Count); // one retry, then the verbatim fallback
    }

    [Fact]
    public async Task A_spent_daily_budget_falls_back_to_the_offline_path()
    {
        var tracked = new Engram.Core.Chat.UsageTrackingChatClient(_chat, _store, "openai", dailyTokenBudget: 100);
        var service = new MemoryService(_store, chat: tracked);
        _server.ChatReplies.Enqueue("""{"facts": ["Alice likes tea"]}""");
        var result = await service.AddAsync(new AddMemoryRequest { Content = "I like tea", Scope = Alice, Infer = true }, TestContext.Current.CancellationToken);
        // The extraction call spent 150 tokens; the reconcile call is refused, and the input is kept.
        Assert.Contains("budget", result.InferenceError, StringComparison.Ordinal);
        Assert.Equal("I like tea", result.Results.Single().Memory.Content);
        Assert.Single(_server.Requests);
        Assert.Equal(150, await _store.TokensOnAsync(DateOnly.FromDateTime(DateTime.UtcNow), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_provider_that_hangs_times_out_and_the_input_is_kept()
    {
        _server.Hangs = true;
        using var impatient = OpenAiCompatible.Chat(new Uri(_server.BaseUrl), "gpt-test", maxAttempts: 1, timeout: TimeSpan.FromMilliseconds(300));
        var service = new MemoryService(_store, chat: impatient);
        var result = await service.AddAsync(new AddMemoryRequest { Content = "The office wifi password changes monthly", Scope = Alice, Infer = true }, TestContext.Current.CancellationToken);
        Assert.Contains("timed out", result.InferenceError, StringComparison.Ordinal);
        Assert.Equal("The office wifi password changes monthly", result.Results.Single().Memory.Content);
    }

    [Fact]
    public async Task Rate_limited_then_answered_succeeds()
    {
        _server.Failures.Enqueue(429);
        _server.ChatReplies.Enqueue("""{"facts": []}""");
        var result = await InferAsync("hello there");
        Assert.Null(result.InferenceError);
        Assert.Empty(result.Results);
        Assert.Single(_time.Waits);
    }

    [Fact]
    public async Task A_streamed_answer_arrives_in_pieces_and_its_usage_counts_against_the_budget()
    {
        var tracked = new Engram.Core.Chat.UsageTrackingChatClient(_chat, _store, "openai", dailyTokenBudget: 100);
        _server.ChatReplies.Enqueue("The deploy runs on Fridays.");
        var pieces = new List<string>();
        await foreach (var update in tracked.GetStreamingResponseAsync([new(ChatRole.User, "When is the deploy?")], cancellationToken: TestContext.Current.CancellationToken))
        {
            if (update.Text.Length > 0) pieces.Add(update.Text);
        }
        Assert.True(pieces.Count > 1, $"expected several updates, got {pieces.Count}");
        Assert.Equal("The deploy runs on Fridays.", string.Concat(pieces));
        Assert.True(Assert.Single(_server.Requests).Body!["stream"]!.GetValue<bool>());
        Assert.Equal(150, await _store.TokensOnAsync(DateOnly.FromDateTime(DateTime.UtcNow), TestContext.Current.CancellationToken));

        // The day's budget is spent now: the next stream is refused before anything is sent.
        var refused = await Assert.ThrowsAsync<Engram.Core.EngramException>(async () =>
        {
            await foreach (var _ in tracked.GetStreamingResponseAsync([new(ChatRole.User, "again")], cancellationToken: TestContext.Current.CancellationToken)) { }
        });
        Assert.Contains("budget", refused.Message, StringComparison.Ordinal);
        Assert.Single(_server.Requests);
    }
}
