using Engram.Agents.Capture;
using Engram.Agents.Worker;
using Engram.Core.Model;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>Commands of the agent pipeline: process, worker, context.</summary>
internal static class AgentCommands
{
    public static IEnumerable<CommandSpec> All() =>
    [
        new("process", "process captured events now (observations, summaries), then exit; --retry first puts events set aside after failures back in the queue", ProcessAsync)
        {
            Options = [OptionSpec.Flag("retry", "first put events set aside after failures back in the queue"), CommonOptions.Json],
        },
        new("context", "print what a new session in this project would be told", ContextAsync)
        {
            Options = [CommonOptions.Project with { ValueName = "KEY" }, CommonOptions.Cwd, CommonOptions.Json],
        },
        new("worker", "run the background worker until idle (started by hooks; single instance)", WorkerAsync)
        {
            Options = [OptionSpec.Flag("warm-up", "load the model and the vectors as it starts (a slow search started it)")],
        },
        new("reembed", "embed memories that have no vector from the configured embedding model and size (after a model change)", ReembedAsync)
        {
            Options = [OptionSpec.Flag("check", "only count the memories without a vector"), CommonOptions.Tenant, CommonOptions.Json],
        },
    ];

    private static async Task<int> ReembedAsync(CommandLine line, CancellationToken cancellationToken)
    {
        await using var runtime = await MemoryCommands.OpenAsync(cancellationToken);
        if (runtime.Memory is not Core.Services.MemoryService service) throw new Core.EngramException("reembed works on the local store, not through --server");
        var (missing, embedded, model, dimensions) = await service.ReembedAsync(line.Value("tenant") ?? Core.Model.MemoryScope.DefaultTenant, !line.Has("check"), cancellationToken);
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("model", model);
                w.WriteNumber("dimensions", dimensions);
                w.WriteNumber("missing", missing);
                w.WriteNumber("embedded", embedded);
                w.WriteEndObject();
            });
        }
        else if (line.Has("check"))
        {
            Output.Line(missing == 0 ? $"every memory has a {dimensions}-dimension vector from {model}" : $"{missing} memor{(missing == 1 ? "y has" : "ies have")} no vector from {model} ({dimensions} dimensions); run: engram reembed");
        }
        else
        {
            Output.Line($"embedded {embedded} memor{(embedded == 1 ? "y" : "ies")} with {model} ({dimensions} dimensions)");
        }
        return 0;
    }

    private static async Task<int> ProcessAsync(CommandLine line, CancellationToken cancellationToken)
    {
        await using var runtime = await MemoryCommands.OpenAsync(cancellationToken);
        var retried = line.Has("retry") ? await runtime.Queue.RetryFailedAsync(cancellationToken) : 0;
        var result = await runtime.Agents().Runner().DrainAsync(null, cancellationToken);
        var (pending, failed) = await runtime.Queue.CountAsync(cancellationToken);
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("retried", retried);
                w.WriteNumber("ingested", result.Ingested);
                w.WriteNumber("processed", result.Processed);
                w.WriteNumber("failed_attempts", result.Failed);
                w.WriteNumber("pending", pending);
                w.WriteNumber("failed", failed);
                w.WriteEndObject();
            });
        }
        else
        {
            Output.Line((retried > 0 ? $"retried {retried} set-aside event(s); " : "") + $"processed {result.Processed} event(s)" + (result.Failed > 0 ? $", {result.Failed} failed attempt(s) (see {runtime.Home.LogsFolder})" : "")
                + (failed > 0 ? $"; {failed} event(s) set aside (engram doctor lists them)" : ""));
        }
        return 0;
    }

    private static async Task<int> ContextAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var cwd = Path.GetFullPath(line.Value("cwd") ?? Environment.CurrentDirectory);
        if (!Directory.Exists(cwd)) throw new UsageException($"--cwd '{cwd}' is not a folder");
        await using var runtime = await MemoryCommands.OpenAsync(cancellationToken);
        var context = (await runtime.Agents().BuildContextAsync(cwd, line.Value("project"), cancellationToken)).Text;
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("context", context);
                w.WriteNumber("characters", context.Length);
                w.WriteNumber("estimated_tokens", (context.Length + 3) / 4);
                w.WriteEndObject();
            });
        }
        else if (context.Length == 0)
        {
            Output.Error.WriteLine("nothing remembered for this project yet");
        }
        else
        {
            Output.Line(context);
        }
        return 0;
    }

    /// <summary>
    /// Loads the built-in model and the store's vectors with a search nobody asked for, in the background, so the first
    /// search the worker answers does not wait for them (seconds in a store of a million memories). Only for a worker a
    /// slow search started: one the hooks start may never be asked to search, and warm over a million memories a worker
    /// holds 1.2 GB. A remote provider is not called for it. A failure only means the first real search loads them.
    /// </summary>
    private static async Task WarmUpAsync(EngramRuntime runtime, HookLog log, CancellationToken cancellationToken)
    {
        if (runtime.Settings.Embeddings.Provider != "local") return;
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await Task.Run(() => runtime.Memory.SearchAsync(new SearchRequest { Query = "warm up", Limit = 1, RecordAccess = false }, cancellationToken), cancellationToken);
            log.Info("worker", $"warmed up: the model and the vectors loaded in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms");
        }
        catch (Exception ex)
        {
            // Never the worker's end: its first real search loads what this did not.
            log.Info("worker", $"warm-up search skipped: {ex.Message}");
        }
    }

    /// <summary>Holds the worker lock, drains whenever the spool has events (<see cref="WorkerLoop"/>), exits when idle for long enough.</summary>
    private static async Task<int> WorkerAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var home = EngramHome.Resolve();
        using var held = WorkerLauncher.TryHold(home);
        if (held is null) return 0; // another worker runs
        var log = HookLog.ForHome(home.Root);
        string? database;
        var cache = new ContextCache(home.Root);
        var settings = CommandSocket.SettingsStamp(home.Root);
        var edited = false;
        await using (var runtime = await MemoryCommands.OpenAsync(cancellationToken))
        {
            database = File.Exists(runtime.Store.Location) ? runtime.Store.Location : null;
            var idleLimit = TimeSpan.FromMinutes(runtime.Settings.Worker.IdleMinutes);
            // Once settings.json is edited this worker's settings are old: it stops as soon as it is idle, and the next
            // hook starts one that reads the new ones (one-shot commands stop asking it at once: their stamps differ).
            TimeSpan? IdleLimit() => (edited = edited || CommandSocket.SettingsStamp(home.Root) != settings) ? TimeSpan.Zero : idleLimit;
            log.Info("worker", $"started (pid {Environment.ProcessId})");
            var warming = line.Has("warm-up") ? WarmUpAsync(runtime, log, cancellationToken) : Task.CompletedTask;
            await new WorkerLoop(runtime.Agents()).RunAsync(IdleLimit, () => CommandSocketServer.TryStart(runtime, log, settings), cancellationToken);
            await warming;
        }
        // The database is closed: record it as the worker leaves it, so the native hook can tell whether
        // anything wrote to it since (and its ready contexts went stale) while no worker runs.
        cache.WriteStamp(database);
        log.Info("worker", edited ? "stopped (settings.json was edited)" : "stopped (idle)");
        return 0;
    }
}
