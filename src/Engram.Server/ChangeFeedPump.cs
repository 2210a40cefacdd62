using System.Text.Json;
using Engram.Core.Services;
using Engram.Core.Storage;
using Engram.Core.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engram.Server;

/// <summary>
/// Follows the store's change feed and publishes each change to the event hub, so the stream shows
/// every change whichever process made it (hooks, the worker, the CLI, this server). Also publishes
/// the queue depth when it changes (to the default tenant: the queue is shared).
/// </summary>
internal sealed partial class ChangeFeedPump(
    IChangeFeed feed, IEventQueue? queue, IMemoryService memory, MemoryEventHub hub, ServerRuntimeOptions options, TimeProvider time, ILogger<ChangeFeedPump> logger)
    : BackgroundService
{
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long cursor;
        try
        {
            cursor = await feed.LatestChangeSeqAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        (long, long)? lastQueue = null;
        while (true)
        {
            try
            {
                var changes = await feed.ReadChangesAsync(cursor, Batch, stoppingToken);
                foreach (var change in changes)
                {
                    foreach (var e in await ChangeEvents.ToEventsAsync(change, memory, stoppingToken)) hub.Publish(e);
                    cursor = change.Seq;
                }
                if (changes.Count == 0 && await feed.LatestChangeSeqAsync(stoppingToken) is var latest && latest < cursor)
                {
                    cursor = latest; // the store was erased: positions start again
                }
                if (queue is not null)
                {
                    var depth = await queue.CountAsync(stoppingToken);
                    if (lastQueue != depth)
                    {
                        lastQueue = depth;
                        var data = JsonSerializer.Serialize(new QueueEventData(depth.Pending, depth.Failed), ServerJsonContext.Default.QueueEventData);
                        hub.Publish(new ServerEvent(0, MemoryScope.DefaultTenant, "queue", data));
                    }
                }
                if (changes.Count == Batch) continue;
                // Woken at once by a store that announces changes (PostgreSQL: a commit on any server), else polls.
                await feed.WaitForChangesAsync(options.ChangePollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFeedError(logger, ex);
                try
                {
                    await Task.Delay(options.ChangePollInterval, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the change feed failed; retrying")]
    private static partial void LogFeedError(ILogger logger, Exception ex);
}
