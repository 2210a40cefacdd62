using System.Threading.Channels;

namespace Engram.Server;

/// <summary>One event of the live stream: what happened, in which tenant, as JSON data.</summary>
public sealed record ServerEvent(long Id, string Tenant, string Type, string Data);

/// <summary>
/// The in-process fan-out behind GET /api/v1/stream. Keeps the latest events in a ring so a client
/// that reconnects with Last-Event-ID gets what it missed, then follows live events. Only changes
/// made through this server are seen (not those of a CLI writing the same database directly).
/// </summary>
public sealed class MemoryEventHub
{
    private readonly Lock _gate = new();
    private readonly ServerEvent?[] _ring;
    private readonly List<Channel<ServerEvent>> _subscribers = [];
    private long _lastId;

    public MemoryEventHub(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new ServerEvent?[capacity];
    }

    public long LastId
    {
        get { lock (_gate) return _lastId; }
    }

    public void Publish(string tenant, string type, string data)
    {
        lock (_gate)
        {
            var e = new ServerEvent(++_lastId, tenant, type, data);
            _ring[e.Id % _ring.Length] = e;
            foreach (var subscriber in _subscribers) subscriber.Writer.TryWrite(e);
        }
    }

    /// <summary>
    /// Starts following events. The replay holds the buffered events after <paramref name="afterId"/> (none when null);
    /// every later event arrives on the channel, with no gap and no repeat between the two.
    /// </summary>
    public Subscription Subscribe(long? afterId)
    {
        var channel = Channel.CreateBounded<ServerEvent>(new BoundedChannelOptions(1024)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            var replay = new List<ServerEvent>();
            if (afterId is { } after)
            {
                var from = Math.Max(after + 1, _lastId - _ring.Length + 1);
                for (var id = from; id <= _lastId; id++)
                {
                    if (_ring[id % _ring.Length] is { } e && e.Id == id) replay.Add(e);
                }
            }
            _subscribers.Add(channel);
            return new Subscription(this, channel, replay);
        }
    }

    private void Unsubscribe(Channel<ServerEvent> channel)
    {
        lock (_gate) _subscribers.Remove(channel);
        channel.Writer.TryComplete();
    }

    public sealed class Subscription(MemoryEventHub hub, Channel<ServerEvent> channel, IReadOnlyList<ServerEvent> replay) : IDisposable
    {
        public IReadOnlyList<ServerEvent> Replay { get; } = replay;
        public ChannelReader<ServerEvent> Live => channel.Reader;
        public void Dispose() => hub.Unsubscribe(channel);
    }
}
