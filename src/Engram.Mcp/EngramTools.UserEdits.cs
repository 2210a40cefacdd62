using System.ComponentModel;
using Engram.Core.Model;
using Engram.Core.Services;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Engram.Mcp;

/// <summary>The user's explicit memories: short standing instructions, shown as numbered lines the agent can edit.</summary>
internal sealed partial class EngramTools
{
    [McpServerTool(Name = "memory_user_edits", Title = "Edit explicit user memories", Destructive = true, OpenWorld = false)]
    [Description("View and edit the user's explicit memories: short standing instructions and facts injected at the start of every " +
        "session (like \"prefers tabs\", \"never deploy on Fridays\"). Only change them when the user asks you to remember or forget " +
        "something. Commands: view (numbered lines); add (text); replace (line_number, text); remove (line_number). " +
        "Call view first to get line numbers.")]
    public async Task<string> MemoryUserEdits(
        [Description("view, add, replace or remove.")] string command,
        [Description("For add and replace: the memory, one short sentence (at most 500 characters).")] string? text = null,
        [Description("For replace and remove: the line number shown by view (1 is the first).")] int? line_number = null,
        CancellationToken cancellationToken = default)
    {
        var users = new UserMemories(memory, caller, Actor);
        var edits = await Call(() => users.ListAsync(cancellationToken));
        switch ((command ?? "").Trim().ToLowerInvariant())
        {
            case "view":
                return edits.Count == 0
                    ? "No explicit user memories yet. Use command add with text to create one."
                    : string.Join('\n', edits.Select((m, i) => $"{i + 1}. {Format.Safe(m.Content)}"));
            case "add":
            {
                var added = await Call(() => users.AddAsync(edits, text, cancellationToken));
                return added.Outcome == AddOutcome.Duplicate
                    ? $"Already remembered as line {edits.FindIndex(m => m.Id == added.Memory.Id) + 1}; nothing added."
                    : $"Added as line {edits.Count + 1}: {Format.Safe(added.Memory.Content)}";
            }
            case "replace":
            {
                var updated = await Call(() => users.ReplaceAsync(edits, line_number, text, cancellationToken));
                return $"Replaced line {line_number}: {Format.Safe(updated.Content)}";
            }
            case "remove":
            {
                var removed = await Call(() => users.RemoveAsync(edits, line_number, cancellationToken));
                return $"Removed line {line_number}: {Format.Safe(removed.Content)}";
            }
            default:
                throw new McpException($"command '{command}' is not one of view, add, replace, remove");
        }
    }
}
