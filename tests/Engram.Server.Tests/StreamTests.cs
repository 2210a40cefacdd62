using System.Net.Http.Headers;
using System.Text;
using Engram.Testing;

namespace Engram.Server.Tests;

/// <summary>The live event stream, read by a real HTTP client as server-sent events.</summary>
public sealed class StreamTests
{
    private sealed record SseEvent(string? Id, string? Type, string Data);

    /// <summary>Reads server-sent events from an open response until the predicate is met (or the timeout).</summary>
    private static async Task<List<SseEvent>> ReadUntilAsync(StreamReader reader, Func<List<SseEvent>, bool> done)
    {
        var events = new List<SseEvent>();
        using var timeout = new CancellationTokenSource(Eventually.HangGuard);
        string? id = null, type = null;
        var data = new StringBuilder();
        while (!done(events))
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the stream ended");
            if (line.Length == 0)
            {
                if (type is not null) events.Add(new SseEvent(id, type, data.ToString()));
                id = type = null;
                data.Clear();
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(line[6..]);
        }
        return events;
    }

    private static async Task<(HttpResponseMessage Response, StreamReader Reader)> OpenAsync(ServerHost host, string? key = null, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The first block is a comment saying the stream is open: changes made after it will be delivered.
        Assert.StartsWith("retry:", await reader.ReadLineAsync(), StringComparison.Ordinal);
        return (response, reader);
    }

    [Fact]
    public async Task New_updated_and_deleted_memories_appear_on_the_stream_and_a_reconnect_resumes_after_last_event_id()
    {
        await using var host = await ServerHost.StartAsync();
        var (response, reader) = await OpenAsync(host);
        string id;
        List<SseEvent> events;
        using (response)
        using (reader)
        {
            id = await host.AddAsync("A memory for the viewer");
            await host.JsonAsync(HttpMethod.Put, $"/api/v1/memories/{id}", """{"text":"An updated memory for the viewer"}""");
            await host.JsonAsync(HttpMethod.Delete, $"/api/v1/memories/{id}");
            events = await ReadUntilAsync(reader, e => e.Count >= 3);
        }
        Assert.Equal(new[] { "memory_added", "memory_updated", "memory_deleted" }, events.Select(e => e.Type!).ToArray());
        Assert.Contains($"\"id\":\"{id}\"", events[0].Data, StringComparison.Ordinal);
        Assert.Contains("\"new_memory\":\"A memory for the viewer\"", events[0].Data, StringComparison.Ordinal);
        Assert.Contains("An updated memory for the viewer", events[1].Data, StringComparison.Ordinal);

        // Missed while disconnected: replayed after the last id the client saw.
        var missed = await host.AddAsync("Added while the viewer was away");
        var (again, againReader) = await OpenAsync(host, lastEventId: events[2].Id);
        using (again)
        using (againReader)
        {
            var replay = await ReadUntilAsync(againReader, e => e.Count >= 1);
            Assert.Equal("memory_added", replay[0].Type);
            Assert.Contains(missed, replay[0].Data, StringComparison.Ordinal);
            Assert.True(long.Parse(replay[0].Id!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(events[2].Id!, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task A_tenant_never_receives_another_tenants_events()
    {
        string a = "", b = "";
        await using var host = await ServerHost.StartAsync(before: async store =>
        {
            a = await ServerHost.CreateKeyAsync(store, "a");
            b = await ServerHost.CreateKeyAsync(store, "b");
        });
        var (response, reader) = await OpenAsync(host, key: b);
        using (response)
        using (reader)
        {
            await host.AddAsync("Secret of tenant A", key: a);
            await host.AddAsync("Own note of tenant B", key: b);
            var events = await ReadUntilAsync(reader, e => e.Count >= 1);
            Assert.Contains("Own note of tenant B", events[0].Data, StringComparison.Ordinal);
            Assert.DoesNotContain(events, e => e.Data.Contains("Secret of tenant A", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Stopping_the_server_ends_open_streams_promptly()
    {
        // A stop waits for requests in flight up to the shutdown timeout, here set far beyond the hang guard: a stream
        // that held the stop up would fail the waits below, however fast or slow the machine.
        var host = await ServerHost.StartAsync(options: new ServerRuntimeOptions { Port = 0, ChangePollInterval = TimeSpan.FromMilliseconds(50), ShutdownTimeout = TimeSpan.FromMinutes(10) });
        var (response, reader) = await OpenAsync(host);
        using (response)
        using (reader)
        {
            await host.Server.StopAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.HangGuard, TestContext.Current.CancellationToken);
            var rest = await reader.ReadToEndAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.HangGuard, TestContext.Current.CancellationToken);
            Assert.DoesNotContain("event:", rest, StringComparison.Ordinal);
        }
        await host.DisposeAsync();
    }

    [Fact]
    public async Task Changes_made_by_other_processes_reach_the_stream_and_queue_depth_is_reported()
    {
        await using var host = await ServerHost.StartAsync();
        var (response, reader) = await OpenAsync(host);
        using (response)
        using (reader)
        {
            // Written straight to the store, as a hook or the CLI does, not through the server.
            var direct = await new Engram.Core.Services.MemoryService(host.Store).AddAsync(new Engram.Core.Model.AddMemoryRequest
            {
                Content = "Observed by a hook in another process",
                Kind = Engram.Core.Model.MemoryKind.Observation,
            }, TestContext.Current.CancellationToken);
            await host.Store.Queue.EnqueueAsync(new Engram.Core.Storage.QueuedEvent { Kind = "test/event", Payload = "{}" }, TestContext.Current.CancellationToken);
            var events = await ReadUntilAsync(reader, e => e.Any(x => x.Type == "observation") && e.Any(x => x.Type == "queue" && x.Data.Contains("\"pending\":1", StringComparison.Ordinal)));
            var added = events.First(e => e.Type == "memory_added");
            Assert.Contains(direct.Results[0].Memory.Id, added.Data, StringComparison.Ordinal);
            Assert.Equal(added.Id, events.First(e => e.Type == "observation").Id);
        }
    }
}
