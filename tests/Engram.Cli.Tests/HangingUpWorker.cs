using System.Net.Sockets;

namespace Engram.Cli.Tests;

/// <summary>
/// Something listening on a home's <c>cli.sock</c> that reads each request and hangs up before answering, as a
/// worker killed mid-answer does; it counts the requests it took.
/// </summary>
public sealed class HangingUpWorker : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _path;
    private readonly Task _hangingUp;
    private int _hangUps;

    public HangingUpWorker(string home)
    {
        _path = Path.Combine(home, "cli.sock");
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _listener.Listen(4);
        _hangingUp = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptAsync(_stop.Token);
                await client.ReceiveAsync(new byte[256], _stop.Token);
                Interlocked.Increment(ref _hangUps);
            }
        }, _stop.Token);
    }

    /// <summary>How many requests it has read and hung up on.</summary>
    public int HangUps => Volatile.Read(ref _hangUps);

    /// <summary>Stops listening (the accept loop ends by its cancellation, nothing else) and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _hangingUp);
        _listener.Close();
        File.Delete(_path);
        _stop.Dispose();
    }
}
