using System.Diagnostics;
using System.Text;

namespace Engram.McpFront;

/// <summary>
/// The managed <c>engram mcp</c> behind the front end, started only when a message needs it: a tool call, or a
/// request the kept answers cannot serve. Until then the messages meant for it (the agent's notifications, our
/// refresh of the kept answers) wait here and go first, in order, once it runs. A session that never calls an
/// Engram tool never starts .NET: no CPU taken from the agent at its start, nothing to wait for at its end.
/// </summary>
internal sealed class ServerLink(string file, IReadOnlyList<string> arguments)
{
    private readonly object _gate = new();
    private readonly List<string> _waiting = [];
    private Process? _server;
    private Thread? _reader;

    /// <summary>Called with each line the server writes, on the server's own thread.</summary>
    public Action<string> FromServer { get; set; } = _ => { };

    /// <summary>Whether the managed server was started (everything then goes to it).</summary>
    public bool Started
    {
        get
        {
            lock (_gate) return _server is not null;
        }
    }

    /// <summary>Sends a line to the server; with <paramref name="needed"/>, starts the server first when it is not running.</summary>
    public void Send(string line, bool needed)
    {
        lock (_gate)
        {
            if (_server is null)
            {
                _waiting.Add(line);
                if (!needed) return;
                Start();
                foreach (var waiting in _waiting) Write(waiting);
                _waiting.Clear();
                return;
            }
            Write(line);
        }
    }

    /// <summary>
    /// The agent closed the session. A server that runs sees the end of its input and stops; this process ends
    /// with its exit code. With no server running there is nothing to wait for.
    /// </summary>
    public int Finish()
    {
        Process? server;
        lock (_gate) server = _server;
        if (server is null) return 0;
        server.StandardInput.Close();
        _reader!.Join();
        return server.ExitCode;
    }

    private void Start()
    {
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process server;
        try
        {
            server = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"engram-mcp: could not start '{file} mcp' ({ex.Message}); set ENGRAM_CLI to the engram executable");
            Environment.Exit(1);
            return;
        }
        // The server's messages are relayed on their own thread; when the server ends, so does this process.
        _reader = new Thread(() =>
        {
            try
            {
                while (server.StandardOutput.ReadLine() is { } line) FromServer(line);
            }
            catch (IOException)
            {
                // The agent closed our output: nothing is left to relay to.
            }
            server.WaitForExit();
            Environment.Exit(server.ExitCode);
        }) { IsBackground = true };
        _reader.Start();
        _server = server;
    }

    private void Write(string line)
    {
        try
        {
            _server!.StandardInput.Write(line);
            _server.StandardInput.Write('\n');
            _server.StandardInput.Flush();
        }
        catch (IOException)
        {
            // The server went away; its reader thread ends this process with its exit code.
        }
    }
}
