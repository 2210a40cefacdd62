using System.Net.Sockets;
using System.Text;
using Engram.Testing;

namespace Engram.Server.Tests;

/// <summary>The answer to a hand-written HTTP/1.1 request.</summary>
internal sealed record RawResponse(int Status, string Head, string Body)
{
    public string ContentType =>
        Head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim() ?? "";

    public override string ToString() => $"{Status} {ContentType}: {(Body.Length > 300 ? Body[..300] + "…" : Body)}";
}

/// <summary>
/// Sends bytes exactly as written over a TCP socket: duplicate or empty headers, absolute-form targets and
/// malformed chunks that HttpClient would refuse to send or would rewrite.
/// </summary>
internal static class RawHttp
{
    public static Task<RawResponse> SendAsync(Uri server, string method, string target, IEnumerable<string> headers, string? body = null) =>
        SendBytesAsync(server, method, target, headers, body is null ? null : Encoding.UTF8.GetBytes(body));

    public static async Task<RawResponse> SendBytesAsync(Uri server, string method, string target, IEnumerable<string> headers, byte[]? body, bool chunkedAsIs = false)
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\n");
        foreach (var header in headers) head.Append(header).Append("\r\n");
        if (body is not null && !chunkedAsIs) head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        head.Append("Connection: close\r\n\r\n");
        var bytes = Encoding.Latin1.GetBytes(head.ToString());
        return await ExchangeAsync(server, body is null ? bytes : [.. bytes, .. body]);
    }

    public static async Task<RawResponse> ExchangeAsync(Uri server, byte[] request)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(Eventually.HangGuard);
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, timeout.Token);
        }
        catch (IOException)
        {
            // The server may answer and close before reading everything (a 413, a bad chunk): read what it said.
        }
        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException)
        {
            // A reset after the answer was sent.
        }
        return Parse(received.ToArray());
    }

    private static RawResponse Parse(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return new RawResponse(0, text, "");
        var head = text[..end];
        var parts = head.Split(' ', 3);
        var status = parts.Length > 1 && int.TryParse(parts[1], out var s) ? s : 0;
        var body = text[(end + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)) body = Dechunk(body);
        return new RawResponse(status, head, body);
    }

    private static string Dechunk(string body)
    {
        var result = new StringBuilder();
        var at = 0;
        while (at < body.Length)
        {
            var line = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (line < 0) break;
            var size = Convert.ToInt32(body[at..line].Split(';')[0].Trim(), 16);
            if (size == 0) break;
            result.Append(body.AsSpan(line + 2, Math.Min(size, body.Length - line - 2)));
            at = line + 2 + size + 2;
        }
        return result.ToString();
    }
}
