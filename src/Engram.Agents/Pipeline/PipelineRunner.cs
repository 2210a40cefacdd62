using System.Diagnostics;
using Engram.Agents.Capture;
using Engram.Core.Services;
using Engram.Core.Storage;

namespace Engram.Agents.Pipeline;

/// <summary>What one drain did.</summary>
public sealed record DrainResult(int Ingested, int Processed, int Failed, bool BudgetExhausted);

/// <summary>
/// Moves spooled events into the durable queue, then claims, processes and completes them, oldest
/// first. Used by the background worker, by <c>engram process</c> and, with a time budget, by the
/// session-start hook so the last session's summary exists before the next one begins.
/// </summary>
public sealed class PipelineRunner(IMemoryService memory, IEventQueue queue, Spool spool, HookLog log, PipelineOptions options,
    IObservationCompressor? compressor = null, LlmSessionSummarizer? summarizer = null, (IInjectionLog Log, ContextCache Cache)? readyContexts = null)
{
    private readonly EventProcessor _processor = new(memory, queue, options, compressor, summarizer,
        readyContexts is { } r ? (new ContextInjections(r.Log, log), r.Cache) : null);

    /// <summary>The working folders whose context file (Cursor's rules file) may need rewriting since the last call.</summary>
    public IReadOnlyList<string> TakeContextFileFolders()
    {
        var folders = _processor.ContextFileFolders.Keys.ToList();
        foreach (var folder in folders) _processor.ContextFileFolders.TryRemove(folder, out _);
        return folders;
    }

    /// <summary>This process, as the queue records its claims: "pid@host".</summary>
    public static string WorkerId { get; } = $"{Environment.ProcessId}@{Environment.MachineName}";

    /// <summary>Longest payload kept with a quarantined event, in characters (enough to see what went wrong).</summary>
    private const int MaxQuarantinedCharacters = 256 * 1024;

    /// <summary>
    /// Moves spooled events into the queue, filtered. An event that cannot be read (not JSON, not an event)
    /// is quarantined in the queue with its reason, redacted, and its file deleted: it never stops the
    /// events after it, and <c>engram process --retry</c> tries it again after an upgrade.
    /// </summary>
    public async Task<int> IngestSpoolAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var spooled in spool.Read().Concat(spool.ReadRejected()))
        {
            var (queued, problem) = Prepare(spooled);
            if (problem is null)
            {
                await queue.EnqueueAsync(queued, cancellationToken);
            }
            else
            {
                await queue.QuarantineAsync(queued, problem, cancellationToken);
                log.Error("ingest", $"event {spooled.Id} set aside: {problem} (engram doctor lists it; engram process --retry tries again)");
            }
            Spool.Delete(spooled);
            count++;
        }
        return count;
    }

    /// <summary>The queue kind of an event that could not be read when it was captured.</summary>
    public const string UnreadableKind = "unreadable";

    /// <summary>A quarantined event retried (after an upgrade): processed if it reads now, failed again if not.</summary>
    private async Task RetryUnreadableAsync(QueuedEvent quarantined, CancellationToken cancellationToken)
    {
        var (queued, problem) = Prepare(new SpooledEvent("", quarantined.DedupeKey ?? "", System.Text.Encoding.UTF8.GetBytes(quarantined.Payload)));
        if (problem is not null) throw new Core.EngramException(problem);
        await _processor.ProcessAsync(queued with { Seq = quarantined.Seq, Tenant = quarantined.Tenant }, cancellationToken);
    }

    /// <summary>The queue entry for one spool file, and why it cannot be processed (null when it can).</summary>
    private static (QueuedEvent Queued, string? Problem) Prepare(SpooledEvent spooled)
    {
        var bytes = LenientJson.Repair(spooled.Bytes);
        string? problem;
        try
        {
            // The privacy filter runs here, before anything is written to the database.
            var envelope = System.Text.Encoding.UTF8.GetString(PayloadSanitizer.Sanitize(bytes));
            if (CapturedEvent.Parse(envelope) is { } captured)
            {
                // An agent or event no adapter knows waits, set aside, for a version that knows it.
                if (Adapters.AgentRegistry.Resolve(captured.Agent, captured.Event) is null)
                {
                    return (new QueuedEvent { Kind = UnreadableKind, DedupeKey = "spool:" + captured.Id, Payload = envelope },
                        $"no agent adapter reads '{captured.Agent} {captured.Event}' events (known: {Adapters.AgentRegistry.Describe()})");
                }
                return (new QueuedEvent
                {
                    Kind = CapturedEvent.KindOf(captured.Agent, captured.Event),
                    DedupeKey = "spool:" + captured.Id,
                    Payload = envelope,
                    SessionKey = captured.SessionKey,
                    EnqueuedAt = captured.CapturedAt,
                }, null);
            }
            problem = "not a hook event (its payload must be a JSON object)";
        }
        catch (System.Text.Json.JsonException ex)
        {
            problem = $"not valid JSON: {ex.Message}";
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // Whatever else a payload can make the parser throw, it holds back only itself.
            problem = $"unreadable ({ex.GetType().Name}: {ex.Message})";
        }
        // Kept as text, redacted and cut: the raw bytes may hold secrets the filter could not find in broken JSON.
        var text = Core.Privacy.PrivacyFilter.ApplyToRawText(System.Text.Encoding.UTF8.GetString(bytes));
        if (text.Length > MaxQuarantinedCharacters) text = text[..MaxQuarantinedCharacters] + "\n[... cut by engram]";
        return (new QueuedEvent { Kind = UnreadableKind, DedupeKey = "spool:" + spooled.Id, Payload = text }, problem);
    }

    /// <summary>Processes until the queue is empty or the budget runs out.</summary>
    public async Task<DrainResult> DrainAsync(TimeSpan? budget, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var ingested = await IngestSpoolAsync(cancellationToken);
        await ReleaseDeadWorkersAsync(cancellationToken);
        int processed = 0, failed = 0;
        while (true)
        {
            if (budget is { } b && clock.Elapsed > b) return new DrainResult(ingested, processed, failed, true);
            var batch = await queue.ClaimAsync(25, TimeSpan.FromMinutes(2), WorkerId, cancellationToken);
            if (batch.Count == 0)
            {
                // Hooks may have spooled more while we worked.
                var more = await IngestSpoolAsync(cancellationToken);
                ingested += more;
                if (more == 0) return new DrainResult(ingested, processed, failed, false);
                continue;
            }
            // Runs of tool calls from one session go to the compressor together; everything else one by one.
            for (var i = 0; i < batch.Count;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var run = 1;
                if (IsToolCall(batch[i].Kind))
                {
                    while (i + run < batch.Count && IsToolCall(batch[i + run].Kind) && batch[i + run].SessionKey == batch[i].SessionKey) run++;
                }
                var group = batch.Skip(i).Take(run).ToList();
                i += run;
                if (group.Count == 1)
                {
                    (processed, failed) = await ProcessOneAsync(group[0], processed, failed, cancellationToken);
                    continue;
                }
                try
                {
                    await _processor.ProcessToolBatchAsync(group, cancellationToken);
                    foreach (var queued in group) await queue.CompleteAsync(queued.Seq, cancellationToken);
                    processed += group.Count;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Retry the run one event at a time, so one bad event cannot hold back the others.
                    log.Error("process", $"a batch of {group.Count} events failed ({ex.GetType().Name}: {ex.Message}); processing them one by one");
                    foreach (var queued in group) (processed, failed) = await ProcessOneAsync(queued, processed, failed, cancellationToken);
                }
            }
        }
    }

    private async Task<(int Processed, int Failed)> ProcessOneAsync(QueuedEvent queued, int processed, int failed, CancellationToken cancellationToken)
    {
        try
        {
            if (queued.Kind == UnreadableKind) await RetryUnreadableAsync(queued, cancellationToken);
            else if (CapturedEvent.KindOfQueued(queued.Kind) is not null) await _processor.ProcessAsync(queued, cancellationToken);
            await queue.CompleteAsync(queued.Seq, cancellationToken);
            return (processed + 1, failed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.Error("process", $"event {queued.Seq} ({queued.Kind}) failed, attempt {queued.Attempts + 1} of {options.MaxAttempts}: {ex.GetType().Name}: {ex.Message}");
            await queue.FailAsync(queued.Seq, $"{ex.GetType().Name}: {ex.Message}", options.MaxAttempts, cancellationToken);
            return (processed, failed + 1);
        }
    }

    private static bool IsToolCall(string kind) => CapturedEvent.KindOfQueued(kind) == Adapters.AgentEventKind.ToolCall;

    /// <summary>Claims held by processes on this machine that no longer exist go back to the queue.</summary>
    private async Task ReleaseDeadWorkersAsync(CancellationToken cancellationToken)
    {
        foreach (var worker in await queue.ListClaimantsAsync(cancellationToken))
        {
            var at = worker.IndexOf('@', StringComparison.Ordinal);
            if (at <= 0 || worker[(at + 1)..] != Environment.MachineName || !int.TryParse(worker[..at], out var pid)) continue;
            if (pid == Environment.ProcessId || IsAlive(pid)) continue;
            var released = await queue.ReleaseClaimsAsync(worker, cancellationToken);
            log.Info("process", $"released {released} event(s) claimed by worker {worker}, which is no longer running");
        }
    }

    /// <summary>
    /// Whether a process exists, from /proc (no process API: this library stays free of them). Where
    /// there is no /proc, every worker counts as alive and its claims return when their lease runs out.
    /// </summary>
    private static bool IsAlive(int pid) => !Directory.Exists("/proc/self") || Directory.Exists($"/proc/{pid}");
}
