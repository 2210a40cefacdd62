using System.Diagnostics;
using System.Globalization;
using System.Text;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Serialization;
using Engram.Core.Services;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>The Mem0-style management commands: add, search, get, list, update, delete, history, reset, stats.</summary>
internal static class MemoryCommands
{
    private static readonly OptionSpec Limit = new("limit", "at most this many results (search: 1-1000, default 10)", "N");
    private static readonly OptionSpec Expires = new("expires", "when it stops being true: a date, a date-time, or a span from now like 12h, 30d, 2w", "D");
    private static readonly ArgumentSpec Id = new("ID", "the memory's id");

    public static IEnumerable<CommandSpec> All() =>
    [
        new("add", "store a memory (TEXT '-' reads standard input)", AddAsync)
        {
            Arguments = [new("TEXT", "what to remember; - reads standard input")],
            Options =
            [
                .. CommonOptions.Scope, CommonOptions.Kind, CommonOptions.Title, new("type", "a free-form type label", "T"), CommonOptions.Meta,
                CommonOptions.Importance, Expires,
                OptionSpec.Flag("infer", "let the model extract the facts and reconcile them with what is stored"),
                OptionSpec.Flag("no-infer", "store the text verbatim (the default)"),
                CommonOptions.Actor, CommonOptions.Server, CommonOptions.Json,
            ],
        },
        new("search", "ranked hybrid search", SearchAsync)
        {
            Arguments = [new("QUERY", "what to look for")],
            Options =
            [
                .. CommonOptions.Scope, CommonOptions.Kinds, CommonOptions.Since, CommonOptions.Until, CommonOptions.Meta, Limit,
                OptionSpec.Flag("explain", "show why each memory ranked where it did"), CommonOptions.All, CommonOptions.Server, CommonOptions.Json,
            ],
        },
        new("get", "show one memory", GetAsync) { Arguments = [Id], Options = [CommonOptions.Tenant, CommonOptions.Server, CommonOptions.Json] },
        new("list", "list memories, newest first (--all includes superseded ones)", ListAsync)
        {
            Options =
            [
                .. CommonOptions.Scope, CommonOptions.Kinds, CommonOptions.Since, CommonOptions.Until, CommonOptions.Meta, Limit with { Description = "at most this many memories" },
                CommonOptions.All, CommonOptions.Server, CommonOptions.Json,
            ],
        },
        new("update", "change a memory's text or expiry; the old text stays in its history", UpdateAsync)
        {
            Arguments = [Id, new("TEXT", "the new text; - reads standard input (optional with --expires)")],
            Options =
            [
                CommonOptions.Tenant, CommonOptions.Title, CommonOptions.Importance, Expires with { Description = Expires.Description + "; never removes the expiry" },
                CommonOptions.Reason, CommonOptions.Actor, CommonOptions.Server, CommonOptions.Json,
            ],
        },
        new("delete", "delete a memory (its history stays)", DeleteAsync)
        {
            Arguments = [Id],
            Options = [CommonOptions.Tenant, CommonOptions.Reason, CommonOptions.Actor, CommonOptions.Server, CommonOptions.Json],
        },
        new("history", "every change to a memory: who, when, old and new value", HistoryAsync)
        {
            Arguments = [Id],
            Options = [CommonOptions.Tenant, CommonOptions.Server, CommonOptions.Json],
        },
        new("reset", "delete every memory in a scope; with no scope, erase the whole store (history and queue too)", ResetAsync)
        {
            Options = [.. CommonOptions.Scope, OptionSpec.Flag("yes", "confirm: reset deletes for good"), CommonOptions.Server, CommonOptions.Json],
        },
        new("stats", "counts by kind and project, queue depth, store size", StatsAsync) { Options = [CommonOptions.Tenant, CommonOptions.Json] },
    ];

    private static async Task<int> AddAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var text = line.Positional(0, "TEXT");
        if (text == "-") text = await Console.In.ReadToEndAsync(cancellationToken);
        if (line.Has("infer") && line.Has("no-infer")) throw new UsageException("choose one of --infer and --no-infer");
        var request = new AddMemoryRequest
        {
            Content = text,
            Scope = Arguments.Scope(line),
            Kind = line.Value("kind") is { } kind ? Arguments.Kind(kind) : MemoryKind.Fact,
            Title = line.Value("title"),
            Type = line.Value("type"),
            Metadata = Arguments.Metadata(line),
            Importance = Arguments.Fraction(line, "importance"),
            ExpiresAt = Arguments.Expiry(line, out _),
            Infer = line.Has("infer"),
            Actor = line.Value("actor") ?? "cli",
        };
        await using var runtime = await OpenAsync(cancellationToken);
        var result = await runtime.Memory.AddAsync(request, cancellationToken);
        if (!runtime.IsRemote && runtime.Settings.Embeddings.Provider == "local" && result.Results.Any(r => r.Outcome != AddOutcome.Unchanged))
        {
            // The vector is made by the worker, not here: start it if it is not running.
            WorkerLauncher.EnsureRunning(runtime.Home, Agents.Capture.HookLog.ForHome(runtime.Home.Root));
        }
        if (result.InferenceError is { } inferenceError)
        {
            Output.Error.WriteLine($"engram: inference failed ({inferenceError}); the text was stored verbatim and marked needs_inference");
        }
        if (line.Json)
        {
            var freshness = new FileFreshness();
            Output.JsonMemories([.. result.Results.Select(added => MemoryItem.From(added.Memory, freshness, eventName: added.EventName, replaces: added.Previous?.Id))]);
        }
        else
        {
            foreach (var added in result.Results)
            {
                Output.Line(added.Outcome switch
                {
                    AddOutcome.Added => $"added {added.Memory.Id} ({added.Memory.Kind.ToWire()}, {added.Memory.Scope}): {Output.Shorten(added.Memory.Content, 80)}",
                    AddOutcome.Updated => $"updated: {added.Memory.Id} \"{Output.Shorten(added.Memory.Content, 60)}\" replaces {added.Previous?.Id} \"{Output.Shorten(added.Previous?.Content ?? "", 60)}\"",
                    AddOutcome.Invalidated => $"no longer true: {added.Memory.Id} \"{Output.Shorten(added.Memory.Content, 80)}\" (kept in history)",
                    AddOutcome.Unchanged => $"already remembered as {added.Memory.Id}",
                    _ => $"already stored as {added.Memory.Id} ({added.Memory.Scope}); nothing added",
                });
            }
            if (result.Results.Count == 0) Output.Line("nothing worth remembering was found; nothing added");
        }
        return 0;
    }

    private static async Task<int> SearchAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var query = line.Positional(0, "QUERY");
        if (string.IsNullOrWhiteSpace(query)) throw new UsageException("the search query is empty");
        var request = new SearchRequest { Query = query, Filter = Arguments.Filter(line), Limit = Arguments.Int(line, "limit", 10, 1, 1000) };
        var started = Stopwatch.GetTimestamp();
        await using var runtime = await OpenAsync(cancellationToken);
        var hits = await runtime.Memory.SearchAsync(request, cancellationToken);
        if (!runtime.IsRemote && Shared.Value is null && Stopwatch.GetElapsedTime(started) >= SlowSearch)
        {
            // This process opened the store, loaded its vectors and the model only to search once, and that was slow (a
            // large store): the worker keeps them loaded, so the next search is answered from it in milliseconds.
            WorkerLauncher.EnsureRunning(runtime.Home, Agents.Capture.HookLog.ForHome(runtime.Home.Root), warmUp: true);
        }
        if (line.Json)
        {
            var freshness = new FileFreshness();
            Output.JsonMemories([.. hits.Select(hit => MemoryItem.From(hit.Memory, freshness, hit.Score, explanation: hit.Explanation))]);
            return 0;
        }
        if (hits.Count == 0)
        {
            Output.Error.WriteLine("no memories match");
            return 0;
        }
        for (var i = 0; i < hits.Count; i++)
        {
            Output.Line($"{i + 1,2}. {hits[i].Score.ToString("0.000", CultureInfo.InvariantCulture)}  {Output.Summary(hits[i].Memory)}");
            if (line.Has("explain")) Output.Line($"      {hits[i].Explanation}");
        }
        return 0;
    }

    private static async Task<int> GetAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var id = line.Positional(0, "ID");
        var tenant = line.Value("tenant") ?? MemoryScope.DefaultTenant;
        await using var runtime = await OpenAsync(cancellationToken);
        var memory = await runtime.Memory.GetAsync(id, tenant, cancellationToken);
        if (memory is null) throw await NotFoundAsync(runtime, id, tenant, cancellationToken);
        await runtime.Memory.NoteFetchedAsync([memory.Id], tenant, "cli", cancellationToken);
        if (line.Json) Output.JsonMemory(memory);
        else Output.Details(memory);
        return 0;
    }

    private static async Task<int> ListAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var filter = Arguments.Filter(line);
        var limit = line.Value("limit") is null ? (int?)null : Arguments.Int(line, "limit", 0, 1, int.MaxValue);
        await using var runtime = await OpenAsync(cancellationToken);
        var memories = new List<Memory>();
        await foreach (var memory in runtime.Memory.ListAsync(filter, limit, cancellationToken)) memories.Add(memory);
        if (line.Json)
        {
            var freshness = new FileFreshness();
            Output.JsonMemories([.. memories.Select(memory => MemoryItem.From(memory, freshness))]);
        }
        else if (memories.Count == 0)
        {
            Output.Error.WriteLine("no memories in this scope");
        }
        else
        {
            foreach (var memory in memories) Output.Line(Output.Summary(memory));
        }
        return 0;
    }

    private static async Task<int> UpdateAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var id = line.Positional(0, "ID");
        var expiresAt = Arguments.Expiry(line, out var neverExpires);
        var text = line.Positionals.Count > 1 || (expiresAt is null && !neverExpires) ? line.Positional(1, "TEXT") : null;
        if (text == "-") text = await Console.In.ReadToEndAsync(cancellationToken);
        var tenant = line.Value("tenant") ?? MemoryScope.DefaultTenant;
        await using var runtime = await OpenAsync(cancellationToken);
        if (await runtime.Memory.GetAsync(id, tenant, cancellationToken) is null) throw await NotFoundAsync(runtime, id, tenant, cancellationToken);
        var updated = await runtime.Memory.UpdateAsync(id, new MemoryUpdate
        {
            Content = text,
            Title = line.Value("title"),
            Importance = Arguments.Fraction(line, "importance"),
            ExpiresAt = expiresAt,
            ClearExpiry = neverExpires,
            Reason = line.Value("reason"),
            Actor = line.Value("actor") ?? "cli",
        }, tenant, cancellationToken);
        if (line.Json) Output.JsonMemory(updated);
        else Output.Line($"updated {updated.Id}");
        return 0;
    }

    private static async Task<int> DeleteAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var id = line.Positional(0, "ID");
        var tenant = line.Value("tenant") ?? MemoryScope.DefaultTenant;
        await using var runtime = await OpenAsync(cancellationToken);
        if (!await runtime.Memory.DeleteAsync(id, tenant, line.Value("actor") ?? "cli", line.Value("reason"), cancellationToken))
        {
            throw await NotFoundAsync(runtime, id, tenant, cancellationToken);
        }
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("id", MemoryId.Normalize(id));
                w.WriteBoolean("deleted", true);
                w.WriteEndObject();
            });
        }
        else
        {
            Output.Line($"deleted {id.Trim()}");
        }
        return 0;
    }

    private static async Task<int> HistoryAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var id = line.Positional(0, "ID");
        var tenant = line.Value("tenant") ?? MemoryScope.DefaultTenant;
        await using var runtime = await OpenAsync(cancellationToken);
        var history = await runtime.Memory.GetHistoryAsync(id, tenant, cancellationToken);
        if (history.Count == 0) throw new MemoryNotFoundException(id, "it has no history in this store");
        List<HistoryItem> items = [.. history.Select(HistoryItem.From)];
        if (line.Json)
        {
            Output.Json(w => System.Text.Json.JsonSerializer.Serialize(w, new HistoryResponse(items), EngramJsonContext.Default.HistoryResponse));
            return 0;
        }
        // The fields of --json, for reading: which memory, then each change with its time, event, actor, reason and id.
        Output.Line($"memory {items[0].MemoryId}: {items.Count} change(s), oldest first");
        foreach (var item in items)
        {
            var reason = item.Reason is null ? "" : $", because: {item.Reason}";
            Output.Line($"{Output.Time(item.CreatedAt)}  {item.Event,-9} by {item.ActorId}{reason}  (change {item.Id})");
            if (item.OldMemory is not null) Output.Line($"    - {Output.Shorten(item.OldMemory, 200)}");
            if (item.NewMemory is not null) Output.Line($"    + {Output.Shorten(item.NewMemory, 200)}");
        }
        return 0;
    }

    private static async Task<int> ResetAsync(CommandLine line, CancellationToken cancellationToken)
    {
        if (!line.Has("yes")) throw new UsageException("reset deletes memories for good; add --yes to confirm");
        var filter = Arguments.Filter(line);
        await using var runtime = await OpenAsync(cancellationToken);
        string message;
        var count = -1;
        if (filter.HasScope || line.Value("tenant") is not null)
        {
            count = await runtime.Memory.DeleteAllAsync(filter, line.Value("actor") ?? "cli", "reset", cancellationToken);
            message = $"deleted {count} memor{(count == 1 ? "y" : "ies")}";
        }
        else
        {
            await runtime.Memory.ResetAsync(cancellationToken);
            message = $"erased everything in {runtime.Store.Location}";
        }
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                if (count >= 0) w.WriteNumber("deleted", count);
                else w.WriteBoolean("reset", true);
                w.WriteEndObject();
            });
        }
        else
        {
            Output.Line(message);
        }
        return 0;
    }

    private static async Task<int> StatsAsync(CommandLine line, CancellationToken cancellationToken)
    {
        await using var runtime = await OpenAsync(cancellationToken);
        var tenant = line.Value("tenant") ?? MemoryScope.DefaultTenant;
        var stats = await runtime.Store.GetStatsAsync(tenant, cancellationToken);
        var projects = await runtime.Store.Injections.UseByProjectAsync(tenant, cancellationToken);
        var setAside = await runtime.Queue.ListFailedAsync(20, cancellationToken);
        var usage = await runtime.Store.Usage.UsageSinceAsync(DateOnly.FromDateTime(runtime.Time.GetUtcNow().UtcDateTime.AddDays(-6)), cancellationToken);
        if (line.Json)
        {
            Output.Json(w =>
            {
                var node = System.Text.Json.JsonSerializer.SerializeToNode(stats, Core.Serialization.EngramJsonContext.Default.StoreStats)!.AsObject();
                var rows = new System.Text.Json.Nodes.JsonArray();
                foreach (var u in usage)
                {
                    rows.Add(new System.Text.Json.Nodes.JsonObject
                    {
                        ["day"] = u.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        ["purpose"] = u.Purpose,
                        ["provider"] = u.Provider,
                        ["model"] = u.Model,
                        ["calls"] = u.Calls,
                        ["input_tokens"] = u.InputTokens,
                        ["output_tokens"] = u.OutputTokens,
                    });
                }
                node["llm_usage"] = rows;
                var failedRows = new System.Text.Json.Nodes.JsonArray();
                foreach (var f in setAside)
                {
                    failedRows.Add(new System.Text.Json.Nodes.JsonObject
                    {
                        ["seq"] = f.Seq,
                        ["kind"] = f.Kind,
                        ["enqueued_at"] = f.EnqueuedAt.ToString("O", CultureInfo.InvariantCulture),
                        ["error"] = f.LastError,
                    });
                }
                node["set_aside"] = failedRows;
                node["projects"] = StatsOutput.ProjectsJson(projects);
                node.WriteTo(w);
            });
            return 0;
        }
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"store:     {stats.Location} ({Output.Size(stats.StoreBytes)})");
        text.AppendLine(CultureInfo.InvariantCulture, $"memories:  {stats.CurrentMemories} current, {stats.Memories - stats.CurrentMemories} superseded, {stats.HistoryEntries} history entries");
        text.AppendLine(CultureInfo.InvariantCulture, $"by kind:   {(stats.ByKind.Count == 0 ? "-" : string.Join(", ", stats.ByKind.Select(kv => $"{kv.Key} {kv.Value}")))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"by project: {(stats.ByProject.Count == 0 ? "-" : string.Join(", ", stats.ByProject.Select(kv => $"{(kv.Key.Length == 0 ? "(none)" : kv.Key)} {kv.Value}")))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"vectors:   {stats.Embeddings} stored, {stats.PendingEmbeddings} waiting for the worker ({runtime.Settings.Embeddings.Provider})");
        text.Append(CultureInfo.InvariantCulture, $"queue:     {stats.QueuePending} pending, {stats.QueueFailed} set aside");
        StatsOutput.AppendProjects(text, projects);
        foreach (var failed in setAside.Take(5))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  set aside #{failed.Seq} {failed.Kind}: {failed.LastError}");
        }
        if (usage.Count == 0)
        {
            text.Append("\nllm:       no calls in the last 7 days");
        }
        foreach (var u in usage)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nllm:       {u.Day:yyyy-MM-dd} {u.Purpose,-16} {u.Provider}/{u.Model}: {u.Calls} call(s), {u.InputTokens:N0} in / {u.OutputTokens:N0} out tokens");
        }
        Output.Line(text.ToString());
        return 0;
    }

    private static readonly AsyncLocal<EngramRuntime?> Shared = new();

    /// <summary>A search in its own process that takes this long starts the worker (about 100,000 memories with the built-in model).</summary>
    private static readonly TimeSpan SlowSearch = TimeSpan.FromSeconds(1);

    /// <summary>Makes the commands of this async flow use <paramref name="runtime"/> (the worker's, already open) instead of opening their own.</summary>
    internal static void ShareInThisFlow(EngramRuntime runtime) => Shared.Value = runtime;

    internal static Task<EngramRuntime> OpenAsync(CancellationToken cancellationToken) =>
        RemoteMode.Server is { } server ? Task.FromResult(RemoteMode.Open(server))
        : Shared.Value is { } shared ? Task.FromResult(shared.Borrow())
        : EngramRuntime.OpenAsync(EngramHome.Resolve(), cancellationToken: cancellationToken);

    /// <summary>"not found", or "was deleted on ..." when history remembers it.</summary>
    private static async Task<MemoryNotFoundException> NotFoundAsync(EngramRuntime runtime, string id, string tenant, CancellationToken cancellationToken)
    {
        var history = await runtime.Memory.GetHistoryAsync(id, tenant, cancellationToken);
        return history.Count > 0 && history[^1].Event == HistoryEvent.Delete
            ? new MemoryNotFoundException(id, $"it was deleted at {Output.Time(history[^1].At)} by {history[^1].Actor}")
            : new MemoryNotFoundException(id);
    }
}
