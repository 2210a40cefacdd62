using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Engram.Core.Model;
using Engram.Eval;
using Engram.Postgres;
using Engram.Sqlite;
using Npgsql;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- cluster --postgres CONNECTION [--servers 3] [--clients 32]
///     [--seconds 60] [--kill] [--engram path/to/engram.dll]
/// dotnet run -c Release --project bench/Engram.Bench -- cluster --sqlite [--clients 32] [--seconds 60]
/// Starts real `engram serve` processes on one database (a fresh schema of the PostgreSQL server, or one
/// SQLite file), drives them with clients mixing add (50%), search (30%) and list (20%) over HTTP, follows
/// server A's event stream, optionally kills (SIGKILL) the second server half-way, then checks that every
/// acknowledged add is stored exactly once and was seen on server A's stream.
/// </summary>
public static class ClusterLoadBenchmark
{
    private sealed record Server(int Port, string Home, Process Process);

    public static async Task<int> RunAsync(string[] args)
    {
        var postgres = Option(args, "--postgres", null);
        var sqlite = args.Contains("--sqlite");
        if ((postgres is null) == !sqlite) throw new ArgumentException("cluster needs --postgres CONNECTION or --sqlite");
        var servers = sqlite ? 1 : int.Parse(Option(args, "--servers", "3")!, CultureInfo.InvariantCulture);
        var clients = int.Parse(Option(args, "--clients", "32")!, CultureInfo.InvariantCulture);
        var seconds = int.Parse(Option(args, "--seconds", "60")!, CultureInfo.InvariantCulture);
        var kill = args.Contains("--kill") && servers > 1;
        var engram = Option(args, "--engram", null) ?? FindEngram();
        var root = Path.Combine(Path.GetTempPath(), "engram-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);

        var storage = new Dictionary<string, string>();
        string? schemaConnection = null;
        if (postgres is not null)
        {
            schemaConnection = await NewSchemaAsync(postgres);
            storage["ENGRAM_STORAGE__PROVIDER"] = "postgres";
            storage["ENGRAM_STORAGE__CONNECTIONSTRING"] = schemaConnection;
        }
        else
        {
            storage["ENGRAM_STORAGE__CONNECTIONSTRING"] = Path.Combine(root, "shared.db");
        }

        var fleet = new List<Server>();
        try
        {
            for (var i = 0; i < servers; i++) fleet.Add(await StartAsync(engram, Path.Combine(root, $"server-{i}"), storage));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            foreach (var server in fleet) await WaitHealthyAsync(http, server);

            // Server A's event stream, recording every memory_added id it carries.
            using var streamStop = new CancellationTokenSource();
            var streamed = new ConcurrentDictionary<string, bool>();
            var stream = FollowStreamAsync(fleet[0].Port, streamed, streamStop.Token);

            var acknowledged = new ConcurrentDictionary<string, int>();
            var latencies = new ConcurrentDictionary<string, ConcurrentBag<double>>();
            long errors = 0, lostToKill = 0;
            var killed = -1;
            var deadline = DateTime.UtcNow.AddSeconds(seconds);
            var watch = Stopwatch.StartNew();
            var killer = kill ? Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(seconds / 2.0));
                fleet[1].Process.Kill(entireProcessTree: true);
                killed = 1;
            }) : Task.CompletedTask;

            await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                var random = new Random(c);
                var n = 0;
                var target = c % servers;
                while (DateTime.UtcNow < deadline)
                {
                    if (target == killed) target = (target + 1) % servers;
                    var port = fleet[target].Port;
                    var roll = random.Next(100);
                    var op = roll < 50 ? "add" : roll < 80 ? "search" : "list";
                    var user = $"user{c % 8}";
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = op switch
                        {
                            "add" => await http.PostAsync($"http://127.0.0.1:{port}/api/v1/memories", Json(new Dictionary<string, object>
                            {
                                ["text"] = $"client {c} note {n++}: the {Words[random.Next(Words.Length)]} job on host {random.Next(1000)} finished",
                                ["user_id"] = user,
                            })),
                            "search" => await http.PostAsync($"http://127.0.0.1:{port}/api/v1/search", Json(new Dictionary<string, object>
                            {
                                ["query"] = $"{Words[random.Next(Words.Length)]} job host", ["user_id"] = user, ["limit"] = 10,
                            })),
                            _ => await http.GetAsync($"http://127.0.0.1:{port}/api/v1/memories?user_id={user}&page_size=20"),
                        };
                        var body = await response.Content.ReadAsStringAsync();
                        if (!response.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref errors);
                            continue;
                        }
                        latencies.GetOrAdd(op, _ => []).Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        if (op == "add")
                        {
                            using var json = JsonDocument.Parse(body);
                            var id = json.RootElement.GetProperty("results")[0].GetProperty("id").GetString()!;
                            acknowledged.AddOrUpdate(id, 1, (_, k) => k + 1);
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        // A request in flight to the killed server was never acknowledged: not an error of the cluster.
                        if (target == killed || (kill && fleet[1].Port == port)) Interlocked.Increment(ref lostToKill);
                        else Interlocked.Increment(ref errors);
                    }
                }
            })));
            watch.Stop();
            await killer;

            // Give server A's stream time to deliver the last adds, then check what was acknowledged.
            var waitUntil = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < waitUntil && acknowledged.Keys.Any(id => !streamed.ContainsKey(id))) await Task.Delay(200);
            await streamStop.CancelAsync();
            try { await stream; } catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException) { }

            var (stored, duplicates, missing) = await VerifyAsync(schemaConnection, storage, acknowledged.Keys);
            var unseen = acknowledged.Keys.Count(id => !streamed.ContainsKey(id));
            var total = latencies.Values.Sum(l => l.Count);
            Console.WriteLine($"engram cluster bench: {Environment.ProcessorCount} cores, {(postgres is null ? "SQLite" : "PostgreSQL")}, {servers} server(s), {clients} clients, {seconds} s{(kill ? ", server 2 killed half-way" : "")}");
            Console.WriteLine("| store | servers | ops/s | add p50/p95/p99 ms | search p50/p95/p99 ms | list p50/p95/p99 ms | errors | acknowledged adds | stored | missing | duplicated | not seen on A's stream | in flight to the killed server |");
            Console.WriteLine("|---|---:|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine($"| {(postgres is null ? "sqlite" : "postgres")} | {servers} | {total / watch.Elapsed.TotalSeconds:F0} | {Triple(latencies, "add")} | {Triple(latencies, "search")} | {Triple(latencies, "list")} " +
                $"| {errors} | {acknowledged.Count} | {stored} | {missing} | {duplicates + acknowledged.Values.Count(v => v > 1)} | {unseen} | {lostToKill} |");
            return errors == 0 && missing == 0 && duplicates == 0 && unseen == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var server in fleet.Where(s => !s.Process.HasExited)) server.Process.Kill(entireProcessTree: true);
            foreach (var server in fleet) server.Process.Dispose();
            if (schemaConnection is not null) await DropSchemaAsync(postgres!, schemaConnection);
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static readonly string[] Words = ["backup", "deploy", "index", "billing", "report", "cleanup", "sync", "import", "render", "audit"];

    private static StringContent Json(Dictionary<string, object> body) =>
        new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static string Triple(ConcurrentDictionary<string, ConcurrentBag<double>> latencies, string op)
    {
        if (!latencies.TryGetValue(op, out var bag) || bag.IsEmpty) return "-";
        var sorted = bag.Order().ToList();
        double At(double p) => Percentiles.Of(sorted, p);
        return string.Create(CultureInfo.InvariantCulture, $"{At(0.50):F1} / {At(0.95):F1} / {At(0.99):F1}");
    }

    /// <summary>How many memories the store holds, how many of them repeat a content, and how many acknowledged ids are absent.</summary>
    private static async Task<(long Stored, long Duplicates, long Missing)> VerifyAsync(string? postgres, Dictionary<string, string> storage, ICollection<string> acknowledged)
    {
        await using Engram.Core.Storage.IEngramStore store = postgres is not null
            ? new PostgresMemoryStore(postgres)
            : new SqliteMemoryStore(storage["ENGRAM_STORAGE__CONNECTIONSTRING"]);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var contents = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var memory in store.ListAsync(new MemoryFilter()))
        {
            ids.Add(memory.Id);
            contents[memory.Content] = contents.GetValueOrDefault(memory.Content) + 1;
        }
        return (ids.Count, contents.Values.Count(v => v > 1), acknowledged.Count(id => !ids.Contains(id)));
    }

    private static async Task FollowStreamAsync(int port, ConcurrentDictionary<string, bool> seen, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var response = await http.GetAsync($"http://127.0.0.1:{port}/api/v1/stream", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var eventName = "";
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event:", StringComparison.Ordinal)) eventName = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal) && eventName == "memory_added")
            {
                using var json = JsonDocument.Parse(line[5..]);
                if (json.RootElement.TryGetProperty("id", out var id) && id.GetString() is { } value) seen[value] = true;
            }
        }
    }

    private static async Task<Server> StartAsync(string engram, string home, Dictionary<string, string> storage)
    {
        Directory.CreateDirectory(home);
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(engram);
        foreach (var arg in new[] { "serve", "--port", port.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
        start.Environment["ENGRAM_HOME"] = home;
        start.Environment["ENGRAM_SERVER__RATELIMITPERMINUTE"] = "100000000";
        foreach (var (key, value) in storage) start.Environment[key] = value;
        var process = Process.Start(start)!;
        // Drain the output so a chatty server never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await Task.Yield();
        return new Server(port, home, process);
    }

    private static async Task WaitHealthyAsync(HttpClient http, Server server)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (server.Process.HasExited) throw new InvalidOperationException($"engram serve on port {server.Port} exited with {server.Process.ExitCode}");
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{server.Port}/health");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"engram serve on port {server.Port} did not become healthy");
    }

    private static async Task<string> NewSchemaAsync(string connection)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", db);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(connection) { SearchPath = schema }.ConnectionString;
    }

    private static async Task DropSchemaAsync(string connection, string schemaConnection)
    {
        var schema = new NpgsqlConnectionStringBuilder(schemaConnection).SearchPath;
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", db);
        await command.ExecuteNonQueryAsync();
    }

    private static string FindEngram()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "artifacts", "bin", "Engram.Cli", "release", "engram.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("engram.dll not found; build src/Engram.Cli -c Release or pass --engram PATH");
    }

    private static string? Option(string[] args, string name, string? fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
