using System.Net;
using Engram.Core;

namespace Engram.Server;

/// <summary>How <c>engram serve</c> listens and protects itself.</summary>
public sealed record ServerRuntimeOptions
{
    /// <summary>localhost or an IP address (IPv6 with or without brackets; IPv4-mapped such as ::ffff:127.0.0.1 listens as IPv4).</summary>
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port (tests); the real address is in <see cref="EngramServer.Address"/>.</summary>
    public int Port { get; init; } = 37777;

    /// <summary>
    /// Requests a minute allowed per API key (0: no limit). Calls without a key from this machine's loopback
    /// addresses, the local user's, are never limited.
    /// </summary>
    public int RateLimitPerMinute { get; init; } = DefaultRateLimitPerMinute;
    public const int DefaultRateLimitPerMinute = 6000;
    public long MaxRequestBytes { get; init; } = 1_048_576;

    /// <summary>How often the store's change feed is read for the event stream.</summary>
    public TimeSpan ChangePollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a stop waits for requests in flight before it cuts them (open event streams end at once).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Calls without a key are refused even before the first key exists (set when listening beyond loopback).</summary>
    public bool RequireApiKeys { get; init; }

    /// <summary>True when the host is a loopback name or address, reachable only from this machine.</summary>
    public bool IsLoopback =>
        Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (TryParseAddress(Host, out var address) && LocalOriginGuard.IsLoopback(address));

    /// <summary>The address to listen on; a clear error for anything that is not an IP address.</summary>
    public static IPAddress ParseAddress(string host) =>
        TryParseAddress(host, out var address)
            ? address
            : throw new EngramException($"--host '{host}' is not an IP address or localhost; use 127.0.0.1, ::1, localhost, 0.0.0.0 or an address of this machine");

    private static bool TryParseAddress(string host, out IPAddress address)
    {
        var text = host.Trim();
        if (text.StartsWith('[') && text.EndsWith(']')) text = text[1..^1];
        if (text.Length > 0 && IPAddress.TryParse(text, out var parsed))
        {
            // An IPv6 socket cannot bind an IPv4-mapped address: listen on the IPv4 address it maps.
            address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
            return true;
        }
        address = IPAddress.None;
        return false;
    }
}
