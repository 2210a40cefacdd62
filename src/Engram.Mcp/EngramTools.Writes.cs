using System.ComponentModel;
using Engram.Core.Model;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Engram.Mcp;

/// <summary>The tools that change memory on the agent's own initiative: remember a statement, forget a memory.</summary>
internal sealed partial class EngramTools
{
    [McpServerTool(Name = "remember", Title = "Remember", OpenWorld = false)]
    [Description("Store something worth knowing in a later session: a decision, a fact about the user or project, a lesson " +
        "learned. Write it as one self-contained statement. Returns the new memory's id. An identical memory is not stored twice.")]
    public async Task<string> Remember(
        [Description("What to remember, self-contained (it will be read without this conversation).")] string text,
        [Description("A short title.")] string? title = null,
        [Description("fact (default), observation, summary, prompt, message or block.")] string kind = "fact",
        [Description("Optional type, such as decision, bugfix, feature, discovery, preference.")] string? type = null,
        [Description("The project it belongs to, if any.")] string? project = null,
        [Description("The session it came from, if any.")] string? session_id = null,
        [Description("0 (trivia) to 1 (essential). Default 0.5.")] double? importance = null,
        [Description("When it stops being true or useful (ISO date or time, UTC), such as the end of a code freeze. Default: never.")] string? expires_at = null,
        CancellationToken cancellationToken = default)
    {
        if (!MemoryKinds.TryParse(kind, out var parsedKind))
        {
            throw new McpException($"kind '{kind}' is not one of {string.Join(", ", MemoryKinds.All.Select(k => k.ToWire()))}");
        }
        var result = await Call(() => memory.AddAsync(new AddMemoryRequest
        {
            Content = text,
            Title = title,
            Kind = parsedKind,
            Type = type,
            Scope = Scope() with { Project = project?.Trim() ?? "", SessionId = session_id?.Trim() ?? "" },
            Importance = importance,
            ExpiresAt = Format.Date(expires_at, "expires_at"),
            Actor = Actor,
        }, cancellationToken));
        var added = result.Results[0];
        return added.Outcome == AddOutcome.Added
            ? $"Remembered as {added.Memory.Id}."
            : $"Already remembered as {added.Memory.Id}; nothing added.";
    }

    [McpServerTool(Name = "forget", Title = "Forget", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Delete one memory that is wrong, outdated or that the user asked to forget. Its history keeps a trace of the deletion and the reason.")]
    public async Task<string> Forget(
        [Description("Id of the memory to delete.")] string id,
        [Description("Why it is being forgotten (kept in its history).")] string? reason = null,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new McpException("id is empty; pass the id of the memory to forget");
        var existing = await Call(() => memory.GetAsync(id, caller.Tenant, cancellationToken));
        if (existing is null || !Visible(existing)) throw new McpException($"memory {id} not found");
        await Call(() => memory.DeleteAsync(existing.Id, caller.Tenant, Actor, reason, cancellationToken));
        return $"Forgot {existing.Id}.";
    }
}
