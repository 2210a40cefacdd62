using System.Diagnostics;
using System.Diagnostics.Metrics;
using Engram.Core;
using Engram.Core.Chat;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Providers;
using Engram.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Engram.Hosting.Tests;

/// <summary><c>services.AddEngram(...)</c> in a real generic host, with a real SQLite file or PostgreSQL and a provider on 127.0.0.1.</summary>
public sealed class AddEngramTests : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeOpenAiServer _provider = new();

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        _folder.Dispose();
    }

    private static HostApplicationBuilder NewHost()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        return builder;
    }

    [Fact]
    public async Task An_app_gets_a_memory_service_on_its_own_sqlite_file_with_vectors_from_its_provider()
    {
        var builder = NewHost();
        var path = _folder.File("app/data/engram.db");
        builder.Services.AddEngram(o => o.Search = o.Search with { VectorWeight = 2 })
            .UseSqlite(path)
            .AddOpenAiCompatibleEmbeddings(new Uri(_provider.BaseUrl), "text-embedding-3-small", "sk-app", dimensions: 64);
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        var memory = host.Services.GetRequiredService<IMemoryService>();
        var car = (await memory.AddAsync(new AddMemoryRequest { Content = "Alice bought a red car last spring" }, TestContext.Current.CancellationToken)).Results[0].Memory;
        await memory.AddAsync(new AddMemoryRequest { Content = "Bob repaired the bicycle" }, TestContext.Current.CancellationToken);
        var hits = await memory.SearchAsync(new SearchRequest { Query = "automobile purchase" }, TestContext.Current.CancellationToken);

        Assert.Equal(car.Id, hits[0].Memory.Id);
        Assert.Contains("vector #1", hits[0].Explanation, StringComparison.Ordinal);
        Assert.True(File.Exists(path), "the store should be the app's file");
        // Folders made for the store, and the store, are the app user's alone whatever the umask.
        Assert.False(OwnerOnly.IsOpenToOthers(Path.GetDirectoryName(path)!));
        Assert.False(OwnerOnly.IsOpenToOthers(_folder.File("app")));
        Assert.False(OwnerOnly.IsOpenToOthers(path));
        Assert.Contains(_provider.Requests, r => r.Path == "/v1/embeddings" && r.Authorization == "Bearer sk-app");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_chat_pipeline_from_the_apps_services_recalls_engram_memories()
    {
        var builder = NewHost();
        builder.Services.AddEngram(o => o.Home = _folder.File("home"));
        builder.Services.AddChatClient(OpenAiCompatible.Chat(new Uri(_provider.BaseUrl), "gpt-test"))
            .UseEngramMemory(new EngramMemoryOptions { Scope = new MemoryScope { UserId = "dana" }, CaptureExchanges = false });
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.Services.GetRequiredService<IMemoryService>().AddAsync(new AddMemoryRequest
        {
            Content = "Dana's team ships on Wednesdays",
            Scope = new MemoryScope { UserId = "dana" },
        }, TestContext.Current.CancellationToken);

        _provider.ChatReplies.Enqueue("Wednesdays.");
        var chat = host.Services.GetRequiredService<IChatClient>();
        var answer = await chat.GetResponseAsync([new(ChatRole.User, "Which day does my team ship?")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Wednesdays.", answer.Text);
        var sent = Assert.Single(_provider.Requests, r => r.Path == "/v1/chat/completions").Body!["messages"]!.ToJsonString();
        Assert.Contains("ships on Wednesdays", sent, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder.File("home"), "engram.db")), "without UseSqlite the home's engram.db is used");
    }

    [Fact]
    public async Task Bad_options_stop_the_app_at_start_with_sentences_that_name_them()
    {
        var builder = NewHost();
        builder.Services.AddEngram(o =>
        {
            o.Home = _folder.File("bad");
            o.DailyTokenBudget = -5;
            o.Search = o.Search with { RrfK = -1 };
        }).UsePostgres(" ");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("UsePostgres needs a connection string", error.Failures);
        Assert.Contains(error.Failures, f => f.Contains("DailyTokenBudget -5", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RrfK", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_app_listening_to_engram_sees_each_add_and_search_as_a_span_and_a_measurement()
    {
        var spans = new List<Activity>();
        using var spanListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EngramTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span => { lock (spans) spans.Add(span); },
        };
        ActivitySource.AddActivityListener(spanListener);
        var measurements = new List<(string Instrument, double Value, string Tags)>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EngramTelemetry.Name) listener.EnableMeasurementEvents(instrument);
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var text = string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            lock (measurements) measurements.Add((instrument.Name, value, text));
        }
        meterListener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        meterListener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        meterListener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        meterListener.Start();

        var builder = NewHost();
        builder.Services.AddEngram().UseSqlite(_folder.File("telemetry.db"));
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        var memory = host.Services.GetRequiredService<IMemoryService>();
        var scope = new MemoryScope { Tenant = "telemetry-tenant", UserId = "erin" };
        await memory.AddAsync(new AddMemoryRequest { Content = "Erin prefers tabs", Scope = scope }, TestContext.Current.CancellationToken);
        await memory.AddAsync(new AddMemoryRequest { Content = "Erin prefers tabs", Scope = scope }, TestContext.Current.CancellationToken);
        await memory.SearchAsync(new SearchRequest { Query = "tabs", Filter = new MemoryFilter { Tenant = "telemetry-tenant" } }, TestContext.Current.CancellationToken);

        List<Activity> mine;
        lock (spans) mine = [.. spans.Where(a => (string?)a.GetTagItem("engram.tenant") == "telemetry-tenant")];
        Assert.Equal(["engram.add", "engram.add", "engram.search"], mine.Select(a => a.OperationName));
        Assert.Equal(1, mine[2].GetTagItem("engram.hits"));
        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Instrument == "engram.memories" && m.Tags == "engram.outcome=duplicate,engram.kind=fact");
            Assert.Contains(measurements, m => m.Instrument == "engram.search.hits" && m.Value == 1);
            Assert.Contains(measurements, m => m.Instrument == "engram.search.duration" && m.Value > 0);
        }
    }

    [Fact]
    public async Task The_same_app_runs_on_postgresql()
    {
        var connection = await TestPostgres.NewSchemaAsync();
        try
        {
            var builder = NewHost();
            builder.Services.AddEngram().UsePostgres(connection);
            using var host = builder.Build();
            await host.StartAsync(TestContext.Current.CancellationToken);
            var memory = host.Services.GetRequiredService<IMemoryService>();
            await memory.AddAsync(new AddMemoryRequest { Content = "The billing service runs on port 8443" }, TestContext.Current.CancellationToken);
            var hit = Assert.Single(await memory.SearchAsync(new SearchRequest { Query = "billing port" }, TestContext.Current.CancellationToken));
            Assert.Equal("The billing service runs on port 8443", hit.Memory.Content);
            await host.StopAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            await TestPostgres.DropSchemaAsync(connection);
        }
    }
}
