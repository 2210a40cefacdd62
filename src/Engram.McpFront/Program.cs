using System.Diagnostics;
using System.Text;
using Engram.Hook;

namespace Engram.McpFront;

/// <summary>
/// <c>engram-mcp [--tenant T] [--user U]</c>: the MCP server over stdio, as <c>engram mcp</c>, but
/// answering the agent's first messages in milliseconds. It starts the managed <c>engram mcp</c> with the
/// same arguments at once, so the first tool call finds it ready, and relays to it (see <see cref="Relay"/>).
/// The managed server's errors and logs go to stderr as before; its exit code is this one's.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var (file, prefix) = NativeLayout.ManagedCli();
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        foreach (var arg in prefix) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("mcp");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Process server;
        try
        {
            server = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"engram-mcp: could not start '{file} mcp' ({ex.Message}); set ENGRAM_CLI to the engram executable");
            return 1;
        }

        using var client = Console.OpenStandardOutput();
        var relay = new Relay(server.StandardInput, client, AnswerCache.Open(NativeLayout.HomeRoot(), file, prefix));
        // The server's messages are relayed on their own thread; when the server ends, so does this process.
        var fromServer = new Thread(() =>
        {
            try
            {
                while (server.StandardOutput.ReadLine() is { } line) relay.FromServer(line);
            }
            catch (IOException)
            {
                // The agent closed our output: nothing is left to relay to.
            }
            server.WaitForExit();
            Environment.Exit(server.ExitCode);
        }) { IsBackground = true };
        fromServer.Start();

        using (var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false)))
        {
            try
            {
                while (input.ReadLine() is { } line)
                {
                    if (line.Length > 0) relay.FromClient(line);
                }
            }
            catch (IOException)
            {
                // The server went away; its thread ends this process with its exit code.
            }
        }
        // The agent closed the session: the server sees the end of its input and stops.
        server.StandardInput.Close();
        fromServer.Join();
        return server.ExitCode;
    }
}
