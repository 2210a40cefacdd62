using System.Threading.Channels;

namespace Engram.Server;

/// <summary>One event of the live stream. <see cref="Id"/> is the change's position in the store (0 for events that cannot be resumed, like queue depth).</summary>
public sealed record ServerEvent(long Id, string Tenant, string Type, string Data);

/// <summary>The in-process fan-out behind GET /api/v1/stream: every open stream gets every published event.</summary>
public sealed class MemoryEventHub
{
    private readonly Lock _gate = new();
    private readonly List<Channel<ServerEvent>> _subscribers = [];

    public void Publish(ServerEvent e)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers) subscriber.Writer.TryWrite(e);
        }
    }

    /// <summary>Starts following events; dispose to stop. A slow reader loses the oldest events rather than holding the server up.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<ServerEvent>(new BoundedChannelOptions(4096)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate) _subscribers.Add(channel);
        return new Subscription(this, channel);
    }

    private void Unsubscribe(Channel<ServerEvent> channel)
    {
        lock (_gate) _subscribers.Remove(channel);
        channel.Writer.TryComplete();
    }

    public sealed class Subscription(MemoryEventHub hub, Channel<ServerEvent> channel) : IDisposable
    {
        public ChannelReader<ServerEvent> Events => channel.Reader;
        public void Dispose() => hub.Unsubscribe(channel);
    }
}
