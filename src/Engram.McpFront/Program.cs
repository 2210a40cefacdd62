using System.Text;
using Engram.Hook;

namespace Engram.McpFront;

/// <summary>
/// <c>engram-mcp [--tenant T] [--user U]</c>: the MCP server over stdio, as <c>engram mcp</c>, but
/// answering the agent's first messages in milliseconds from the answers kept from an earlier session
/// (see <see cref="Relay"/>), and starting the managed <c>engram mcp</c> with the same arguments only when a
/// message needs it (see <see cref="ServerLink"/>); a read-only tool call before then goes to the running worker
/// (see <see cref="WorkerCalls"/>). The managed server's errors and logs go to stderr as
/// before; its exit code is this one's.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var (file, prefix) = NativeLayout.ManagedCli();
        var server = new ServerLink(file, [.. prefix, "mcp", .. args]);
        using var client = Console.OpenStandardOutput();
        var home = NativeLayout.HomeRoot();
        var worker = new WorkerCalls(home, args);
        var relay = new Relay(server, client, AnswerCache.Open(home, file, prefix), worker);
        server.FromServer = relay.FromServer;

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
                // The agent went away: finish as if it had closed the session.
            }
        }
        worker.Finish();
        return server.Finish();
    }
}
