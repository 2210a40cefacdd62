using System.Net;
using System.Net.Sockets;

namespace Engram.Testing;

/// <summary>Starts an <see cref="HttpListener"/> on a free port of 127.0.0.1 for the fake servers.</summary>
public static class LoopbackListener
{
    /// <summary>The started listener and its root URL (<c>http://127.0.0.1:PORT</c>, no trailing slash).</summary>
    public static (HttpListener Listener, string Root) Start()
    {
        // A port found free can be taken by a parallel test before the listener binds it: try another.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, $"http://127.0.0.1:{port}");
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>Answers the listener's requests one at a time, in arrival order, until it is closed.</summary>
    public static async Task ServeAsync(HttpListener listener, Func<HttpListenerContext, Task> answer)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            await answer(context);
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
