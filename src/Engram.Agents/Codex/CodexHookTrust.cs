using Engram.Agents.Adapters;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engram.Agents.Codex;

/// <summary>One hook as Codex lists it: its trust key, command, current hash and whether it is trusted.</summary>
public sealed record CodexHook(string Key, string Command, string Hash, bool Trusted);

/// <summary>
/// Asks the real Codex which hooks it sees and whether it trusts them: Codex runs a hook only after the user
/// trusted its exact definition (a hash Codex computes; Engram never computes it itself). Talks to
/// <c>codex app-server</c> (JSON-RPC, one JSON document per line over stdio): <c>initialize</c>, then
/// <c>hooks/list</c>. Used by install and doctor only, never on the hook path.
/// </summary>
public static class CodexHookTrust
{
    /// <summary>The hooks Codex sees for a working directory, or null when Codex cannot be asked (not on PATH, no answer).</summary>
    public static IReadOnlyList<CodexHook>? List(string cwd, AgentProcess? run)
    {
        if (run is null) return null;
        var lines = run("codex", ["app-server"],
        [
            """{"id":1,"method":"initialize","params":{"clientInfo":{"name":"engram","version":"1"}}}""",
            """{"method":"initialized"}""",
            """{"id":2,"method":"hooks/list","params":{}}""",
        ], line => Parse(line) is not null, cwd);
        return lines is { Count: > 0 } ? Parse(lines[^1]) : null;
    }

    /// <summary>The hooks of a <c>hooks/list</c> answer (id 2), or null for any other line.</summary>
    internal static IReadOnlyList<CodexHook>? Parse(string line)
    {
        try
        {
            if (JsonNode.Parse(line) is not JsonObject message || message["id"]?.GetValue<int>() != 2) return null;
            var hooks = new List<CodexHook>();
            foreach (var group in message["result"]?["data"]?.AsArray() ?? [])
            {
                foreach (var hook in group?["hooks"]?.AsArray() ?? [])
                {
                    if (hook?["key"]?.GetValue<string>() is { } key && hook["currentHash"]?.GetValue<string>() is { } hash)
                    {
                        hooks.Add(new CodexHook(key, hook["command"]?.GetValue<string>() ?? "", hash, hook["trustStatus"]?.GetValue<string>() == "trusted"));
                    }
                }
            }
            return hooks;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
