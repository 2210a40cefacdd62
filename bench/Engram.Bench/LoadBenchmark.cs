using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Eval;
using Engram.Hosting;
using Engram.Server;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- load [--adders 8] [--clients 32] [--seconds 60] [--mix search,add,list] [--seed 2000]
/// A real engram server (REST over Kestrel on 127.0.0.1, a fresh ENGRAM_HOME in a temp folder) under two loads in
/// turn: (a) N clients adding memories as fast as they can, (b) M clients mixing searches, adds and lists. Each client
/// sends its next request when the previous one is answered. Reports latency percentiles, throughput and errors per
/// operation, then checks that every acknowledged add is in the store exactly once.
/// </summary>
internal static class LoadBenchmark
{
    public static async Task<int> RunAsync(string[] args, Func<string, string, string> option)
    {
        var adders = int.Parse(option("--adders", "8"), CultureInfo.InvariantCulture);
        var clients = int.Parse(option("--clients", "32"), CultureInfo.InvariantCulture);
        var seconds = double.Parse(option("--seconds", "60"), CultureInfo.InvariantCulture);
        var mix = option("--mix", "search,add,list").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var seed = int.Parse(option("--seed", "2000"), CultureInfo.InvariantCulture);
        if (mix.Any(m => m is not ("search" or "add" or "list"))) throw new ArgumentException("--mix takes search, add and list");

        var folder = Path.Combine(Path.GetTempPath(), "engram-load-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            await using var runtime = await EngramRuntime.OpenAsync(new EngramHome(folder));
            var corpus = new SyntheticCorpus(seed: 11);
            for (var i = 0; i < seed; i++)
            {
                await runtime.Memory.AddAsync(new AddMemoryRequest { Content = corpus.Memory(), Scope = new MemoryScope { UserId = $"user{i % 10}" } });
            }
            await using var server = await EngramServer.CreateAsync(runtime.Memory, runtime.Store, new ServerRuntimeOptions { Port = 0 });
            await server.StartAsync();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = server.Address,
                Timeout = TimeSpan.FromSeconds(60),
            };

            Console.WriteLine($"engram load: {Environment.ProcessorCount} cores, .NET {Environment.Version}, server {server.Address}, {seed} memories seeded, {seconds:0.#} s per phase");
            Console.WriteLine("| phase | operation | requests | errors | p50 | p95 | p99 | max | per second |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            var acknowledged = new ConcurrentDictionary<string, string>();
            var errors = 0L;
            errors += await PhaseAsync($"(a) {adders} adders", http, adders, seconds, ["add"], corpus, acknowledged);
            errors += await PhaseAsync($"(b) {clients} mixed", http, clients, seconds, mix, corpus, acknowledged);

            // Every acknowledged add is stored exactly once.
            var stored = new Dictionary<string, int>(StringComparer.Ordinal);
            await foreach (var m in runtime.Memory.ListAsync(new MemoryFilter { Tenant = MemoryScope.DefaultTenant, UserId = "load" }, int.MaxValue))
            {
                stored[m.Content] = stored.GetValueOrDefault(m.Content) + 1;
            }
            var missing = acknowledged.Values.Count(text => !stored.ContainsKey(text));
            var twice = acknowledged.Values.Count(text => stored.GetValueOrDefault(text) > 1);
            Console.WriteLine($"acknowledged adds: {acknowledged.Count}; missing from the store: {missing}; stored more than once: {twice}; errors: {errors}");
            return missing == 0 && twice == 0 ? 0 : 1;
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    private static async Task<long> PhaseAsync(string phase, HttpClient http, int clients, double seconds, string[] mix,
        SyntheticCorpus corpus, ConcurrentDictionary<string, string> acknowledged)
    {
        var texts = new string[512];
        var queries = new string[512];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = corpus.Memory();
            queries[i] = corpus.QueryFor(texts[i]);
        }
        var latencies = mix.Distinct().ToDictionary(m => m, _ => new ConcurrentBag<double>());
        var failures = mix.Distinct().ToDictionary(m => m, _ => new ConcurrentDictionary<string, int>());
        var deadline = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(seconds);
        var tasks = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var random = new Random(client * 7919 + phase.Length);
            for (var n = 0; deadline.Elapsed < limit; n++)
            {
                var op = mix[(n + client) % mix.Length];
                var text = $"load {phase[..3]} c{client} n{n}: {texts[random.Next(texts.Length)]}";
                using var request = op switch
                {
                    "add" => Json(HttpMethod.Post, "api/v1/memories", JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = text, ["user_id"] = "load" })),
                    "search" => Json(HttpMethod.Post, "api/v1/search", JsonSerializer.Serialize(new Dictionary<string, object> { ["query"] = queries[random.Next(queries.Length)], ["user_id"] = $"user{random.Next(10)}", ["limit"] = 10 })),
                    _ => new HttpRequestMessage(HttpMethod.Get, $"api/v1/memories?user_id=user{random.Next(10)}&page_size=20"),
                };
                var watch = Stopwatch.StartNew();
                try
                {
                    using var response = await http.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    watch.Stop();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures[op].AddOrUpdate(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), 1, (_, c) => c + 1);
                        continue;
                    }
                    if (op == "add")
                    {
                        using var json = JsonDocument.Parse(body);
                        acknowledged[json.RootElement.GetProperty("results")[0].GetProperty("id").GetString()!] = text;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
                {
                    failures[op].AddOrUpdate(ex.GetType().Name, 1, (_, c) => c + 1);
                    continue;
                }
                latencies[op].Add(watch.Elapsed.TotalMilliseconds);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = deadline.Elapsed.TotalSeconds;
        long errors = 0;
        foreach (var (op, bag) in latencies.Concat(new[] { KeyValuePair.Create("all", new ConcurrentBag<double>(latencies.Values.SelectMany(b => b))) }))
        {
            var sorted = bag.ToList();
            sorted.Sort();
            var failed = op == "all" ? failures.Values.Sum(f => f.Values.Sum()) : failures[op].Values.Sum();
            if (op != "all") errors += failed;
            var detail = op == "all" || failed == 0 ? "" : " (" + string.Join(", ", failures[op].Select(f => $"{f.Key}: {f.Value}")) + ")";
            if (op == "all" && latencies.Count == 1) continue;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {phase} | {op} | {sorted.Count + failed} | {failed}{detail} | {P(sorted, 0.50)} | {P(sorted, 0.95)} | {P(sorted, 0.99)} | {P(sorted, 1.0)} | {sorted.Count / elapsed:N0} |"));
        }
        return errors;
    }

    private static HttpRequestMessage Json(HttpMethod method, string path, string json) =>
        new(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static string P(List<double> sorted, double p) => sorted.Count == 0
        ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"{Percentiles.Of(sorted, p):0.0} ms");
}
