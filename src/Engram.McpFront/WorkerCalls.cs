using System.Text;
using System.Text.Json;
using Engram.Cli;

namespace Engram.McpFront;

/// <summary>
/// Read-only tool calls sent to the running worker over <c>$ENGRAM_HOME/cli.sock</c> as <c>engram mcp --call</c>
/// (<see cref="CommandSocket"/>, the protocol of one-shot searches), while the managed <c>engram mcp</c> is not running:
/// the worker has the store open and the model loaded, so a session's first search is answered in milliseconds
/// instead of waiting for .NET, the store and the model. A call the worker does not answer (no worker, other settings,
/// a worker gone or too slow) goes to the managed server as before; only calls the kept tool list marks read-only
/// go to the worker, so one asked twice has done nothing twice.
/// </summary>
internal sealed class WorkerCalls(string homeRoot, IReadOnlyList<string> arguments)
{
    private readonly object _gate = new();
    private int _pending;

    /// <summary>
    /// Whether the tool a <c>tools/call</c> names is read-only by the tool list kept for this protocol version
    /// (<paramref name="keptTools"/>, the raw result of <c>tools/list</c>); false when it is not kept or not readable.
    /// </summary>
    public static bool IsReadOnly(string? parameters, string? keptTools)
    {
        if (parameters is null || keptTools is null) return false;
        try
        {
            using var call = JsonDocument.Parse(parameters);
            if (call.RootElement.ValueKind != JsonValueKind.Object || !call.RootElement.TryGetProperty("name", out var name)
                || name.ValueKind != JsonValueKind.String) return false;
            using var list = JsonDocument.Parse(keptTools);
            if (!list.RootElement.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array) return false;
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                    && n.GetString() == name.GetString())
                {
                    return tool.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
                        && annotations.TryGetProperty("readOnlyHint", out var hint) && hint.ValueKind == JsonValueKind.True;
                }
            }
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Asks the worker on a thread of its own: <paramref name="answered"/> gets its answer line, else <paramref name="declined"/> runs.</summary>
    public void Send(string request, string sessionVersion, Action<string> answered, Action declined)
    {
        lock (_gate) _pending++;
        ThreadPool.QueueUserWorkItem(_ =>
        {
            try
            {
                var answer = CommandSocket.Ask(homeRoot, ["mcp", .. arguments, "--call", request, "--protocol", sessionVersion]);
                var line = answer is { ExitCode: 0 } ? Encoding.UTF8.GetString(answer.Output).Trim() : "";
                if (line.Length > 0 && !line.Contains('\n', StringComparison.Ordinal))
                {
                    answered(line);
                    if (Environment.GetEnvironmentVariable("ENGRAM_DEBUG") is "1" or "true") Console.Error.WriteLine("engram-mcp: answered by the running worker");
                }
                else
                {
                    declined();
                }
            }
            catch (IOException)
            {
                // The agent closed its end: no one is left to answer.
            }
            finally
            {
                lock (_gate)
                {
                    _pending--;
                    Monitor.PulseAll(_gate);
                }
            }
        });
    }

    /// <summary>Waits for the calls still out with the worker (each ends within the socket's answer timeout).</summary>
    public void Finish()
    {
        lock (_gate)
        {
            while (_pending > 0) Monitor.Wait(_gate);
        }
    }
}
