using System.Net;

namespace Engram.Server;

/// <summary>How <c>engram serve</c> listens and protects itself.</summary>
public sealed record ServerRuntimeOptions
{
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port (tests); the real address is in <see cref="EngramServer.Address"/>.</summary>
    public int Port { get; init; } = 37777;
    public int RateLimitPerMinute { get; init; } = 600;
    public long MaxRequestBytes { get; init; } = 1_048_576;

    /// <summary>How often the store's change feed is read for the event stream.</summary>
    public TimeSpan ChangePollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Calls without a key are refused even before the first key exists (set when listening beyond loopback).</summary>
    public bool RequireApiKeys { get; init; }

    /// <summary>True when the host is a loopback name or address, reachable only from this machine.</summary>
    public bool IsLoopback =>
        Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));
}
