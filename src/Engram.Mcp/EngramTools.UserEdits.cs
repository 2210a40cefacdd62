using System.ComponentModel;
using Engram.Core.Model;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Engram.Mcp;

/// <summary>The user's explicit memories: short standing instructions, shown as numbered lines the agent can edit.</summary>
internal sealed partial class EngramTools
{
    private const int MaxUserEdits = 50;
    private const int MaxUserEditLength = 500;

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
        var edits = await UserEditsAsync(cancellationToken);
        switch ((command ?? "").Trim().ToLowerInvariant())
        {
            case "view":
                return edits.Count == 0
                    ? "No explicit user memories yet. Use command add with text to create one."
                    : string.Join('\n', edits.Select((m, i) => $"{i + 1}. {Format.Safe(m.Content)}"));
            case "add":
            {
                var content = EditText(text, "add");
                if (edits.Count >= MaxUserEdits) throw new McpException($"there are already {MaxUserEdits} user memories; remove or replace one first");
                var added = await Call(() => memory.AddAsync(new AddMemoryRequest
                {
                    Content = content,
                    Kind = MemoryKind.Block,
                    Scope = Scope(),
                    Importance = 1,
                    Actor = Actor,
                }, cancellationToken));
                return added.Results[0].Outcome == AddOutcome.Duplicate
                    ? $"Already remembered as line {edits.FindIndex(m => m.Id == added.Results[0].Memory.Id) + 1}; nothing added."
                    : $"Added as line {edits.Count + 1}: {Format.Safe(added.Results[0].Memory.Content)}";
            }
            case "replace":
            {
                var target = Line(edits, line_number, "replace");
                var content = EditText(text, "replace");
                var updated = await Call(() => memory.UpdateAsync(target.Id, new MemoryUpdate { Content = content, Actor = Actor, Reason = "memory_user_edits replace" },
                    caller.Tenant, cancellationToken));
                return $"Replaced line {line_number}: {Format.Safe(updated.Content)}";
            }
            case "remove":
            {
                var target = Line(edits, line_number, "remove");
                await Call(() => memory.DeleteAsync(target.Id, caller.Tenant, Actor, "memory_user_edits remove", cancellationToken));
                return $"Removed line {line_number}: {Format.Safe(target.Content)}";
            }
            default:
                throw new McpException($"command '{command}' is not one of view, add, replace, remove");
        }
    }

    private async Task<List<Memory>> UserEditsAsync(CancellationToken cancellationToken)
    {
        var list = new List<Memory>();
        await foreach (var m in memory.ListAsync(Filter() with { Kinds = [MemoryKind.Block] }, MaxUserEdits * 2, cancellationToken))
        {
            list.Add(m);
        }
        list.Sort((a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.Id, b.Id));
        return list;
    }

    private static Memory Line(List<Memory> edits, int? lineNumber, string command)
    {
        if (lineNumber is null) throw new McpException($"{command} needs line_number; call view to see the numbers");
        if (lineNumber < 1 || lineNumber > edits.Count)
        {
            throw new McpException(edits.Count == 0
                ? "there are no user memories yet"
                : $"line_number {lineNumber} is out of range; there are {edits.Count} lines (1 to {edits.Count})");
        }
        return edits[lineNumber.Value - 1];
    }

    private static string EditText(string? text, string command)
    {
        var content = text?.Trim() ?? "";
        if (content.Length == 0) throw new McpException($"{command} needs text");
        if (content.Length > MaxUserEditLength) throw new McpException($"text has {content.Length} characters; keep a user memory under {MaxUserEditLength}");
        return content;
    }
}
