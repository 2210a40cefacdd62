using System.ComponentModel;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Security;
using Engram.Core.Services;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Engram.Mcp;

/// <summary>
/// The MCP tools, bound to one caller. Progressive disclosure: search returns a cheap index of
/// ids, timeline shows the neighbourhood of one hit, get_observations returns full records.
/// Parameter names are the wire names, hence snake_case. The other tools stand in parts named for them:
/// past sessions (EngramTools.Sessions.cs), the user's explicit memories (EngramTools.UserEdits.cs), and
/// remember/forget (EngramTools.Writes.cs).
/// </summary>
[McpServerToolType]
internal sealed partial class EngramTools(IMemoryService memory, EngramCaller caller, TimeProvider? time = null)
{
    private const string Actor = "mcp";
    private const int MaxIds = 50;

    [McpServerTool(Name = "search", Title = "Search memory", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Search Engram's long-term memory of past sessions, decisions, facts and work. Step 1 of 3 and the cheapest: " +
        "returns one compact line per hit (id, time, kind, project, start of the text, and the token cost of its full record), " +
        "about 50-100 tokens each. Then call timeline(anchor_id) to see what happened around a hit, or get_observations(ids) " +
        "for the full records of only the hits you need.")]
    public async Task<string> Search(
        [Description("What to look for, in plain words (no query syntax).")] string query,
        [Description("Most hits to return, 1-50. Default 10.")] int limit = 10,
        [Description("Only memories of this project (its normalised git remote or root path).")] string? project = null,
        [Description("Only these kinds: observation, summary, fact, prompt, message, block.")] string[]? kinds = null,
        [Description("Only these observation types, such as bugfix, feature, decision, discovery, change.")] string[]? types = null,
        [Description("Only memories from this time on (ISO date or time, UTC).")] string? date_start = null,
        [Description("Only memories before this time (ISO date or time, UTC).")] string? date_end = null,
        [Description("Only memories that read or modified one of these files (full path or file name).")] string[]? files = null,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(query)) throw new McpException("query is empty; give a few words to search for");
        if (limit is < 1 or > 50) throw new McpException($"limit {limit} is out of range; use 1 to 50");
        var filter = Filter() with
        {
            Project = Blank(project),
            Kinds = ParseKinds(kinds),
            Since = Format.Date(date_start, "date_start"),
            Until = Format.Date(date_end, "date_end"),
        };
        var typeSet = (types ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var fileList = (files ?? []).Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f.Trim()).ToList();
        var postFilter = typeSet.Count > 0 || fileList.Count > 0;

        var hits = await Call(() => memory.SearchAsync(new SearchRequest
        {
            Query = query,
            Filter = filter,
            Limit = postFilter ? Math.Min(limit * 10, 500) : limit,
        }, cancellationToken));
        var memories = hits.Select(h => h.Memory)
            .Where(m => typeSet.Count == 0 || (m.Type is not null && typeSet.Contains(m.Type)))
            .Where(m => fileList.Count == 0 || TouchesAny(m, fileList))
            .Take(limit)
            .ToList();

        if (memories.Count == 0)
        {
            return $"No memories match \"{Format.Query(query)}\". Try other words, fewer filters, or recent_chats to browse recent sessions.";
        }
        var lines = memories.Select(Format.IndexLine).ToList();
        var index = string.Join('\n', lines);
        var full = memories.Sum(m => Tokens.Estimate(Format.Record(m)));
        return $"{memories.Count} memor{(memories.Count == 1 ? "y" : "ies")} for \"{Format.Query(query)}\", best first " +
            $"(this index: ~{Tokens.Estimate(index)} tokens; full records of all: ~{full} tokens).\n" +
            index +
            "\nNext: timeline(anchor_id) for what happened around a hit; get_observations(ids) for full records.";
    }

    [McpServerTool(Name = "timeline", Title = "Memory timeline", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Step 2: what happened before and after one memory, in time order, within the same session (or the same project " +
        "when it has no session). Give anchor_id from a search result, or a query whose best hit becomes the anchor. " +
        "Returns compact index lines; the anchor is marked with >>.")]
    public async Task<string> Timeline(
        [Description("Id of the memory to center on (from search).")] string? anchor_id = null,
        [Description("Used when anchor_id is not given: the best hit for this query becomes the anchor.")] string? query = null,
        [Description("How many memories before the anchor, 0-20. Default 3.")] int depth_before = 3,
        [Description("How many memories after the anchor, 0-20. Default 3.")] int depth_after = 3,
        CancellationToken cancellationToken = default)
    {
        if (depth_before is < 0 or > 20) throw new McpException($"depth_before {depth_before} is out of range; use 0 to 20");
        if (depth_after is < 0 or > 20) throw new McpException($"depth_after {depth_after} is out of range; use 0 to 20");
        Memory? anchor;
        if (!string.IsNullOrWhiteSpace(anchor_id))
        {
            anchor = await Call(() => memory.GetAsync(anchor_id, caller.Tenant, cancellationToken));
            if (anchor is null || !Visible(anchor)) throw new McpException($"memory {anchor_id} not found");
        }
        else if (!string.IsNullOrWhiteSpace(query))
        {
            var hits = await Call(() => memory.SearchAsync(new SearchRequest { Query = query, Filter = Filter(), Limit = 1 }, cancellationToken));
            anchor = hits.Count > 0 ? hits[0].Memory : null;
            if (anchor is null) return $"No memory matches \"{Format.Query(query)}\", so there is no timeline to show.";
        }
        else
        {
            throw new McpException("give anchor_id (a memory id from search) or query");
        }

        var shown = await Call(() => MemoryTimeline.AroundAsync(memory, anchor, Filter(), depth_before, depth_after, time ?? TimeProvider.System, cancellationToken));
        await memory.NoteFetchedAsync([anchor.Id], caller.Tenant, "timeline", cancellationToken);
        var where = anchor.Scope.SessionId.Length > 0 ? $"session {anchor.Scope.SessionId}"
            : anchor.Scope.Project.Length > 0 ? $"project {anchor.Scope.Project}" : "this tenant";
        var lines = shown.Select(m => (m.Id == anchor.Id ? ">> " : "   ") + Format.IndexLine(m)).ToList();
        var body = string.Join('\n', lines);
        return $"Timeline of {where} around {anchor.Id} ({shown.Count} memories, oldest first; ~{Tokens.Estimate(body)} tokens):\n" +
            body + "\nNext: get_observations(ids) for full records.";
    }

    [McpServerTool(Name = "get_observations", Title = "Get full memories", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Step 3, the most expensive: full records (text, facts, files, metadata) of the memories with these ids. " +
        "Fetch only the ids you actually need from search or timeline.")]
    public async Task<string> GetObservations(
        [Description("Memory ids from search or timeline, at most 50.")] string[] ids,
        CancellationToken cancellationToken = default)
    {
        var wanted = (ids ?? []).Where(i => !string.IsNullOrWhiteSpace(i)).Select(i => i.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (wanted.Count == 0) throw new McpException("ids is empty; pass ids from search or timeline");
        if (wanted.Count > MaxIds) throw new McpException($"{wanted.Count} ids asked for; the limit is {MaxIds} per call");
        var blocks = new List<string>(wanted.Count);
        var found = new List<string>(wanted.Count);
        foreach (var id in wanted)
        {
            var m = await Call(() => memory.GetAsync(id, caller.Tenant, cancellationToken));
            var visible = m is not null && Visible(m);
            blocks.Add(visible ? Format.Record(m!) : $"[{id}] not found");
            if (visible) found.Add(m!.Id);
        }
        await memory.NoteFetchedAsync(found, caller.Tenant, "get_observations", cancellationToken);
        var text = string.Join("\n\n", blocks);
        return $"{blocks.Count} record(s), ~{Tokens.Estimate(text)} tokens:\n\n{text}";
    }

    /// <summary>The full record of one memory, for the engram://memory/{id} resource; null when the caller cannot see it.</summary>
    internal async Task<Memory?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        var m = await Call(() => memory.GetAsync(id, caller.Tenant, cancellationToken));
        return m is not null && Visible(m) ? m : null;
    }

    private MemoryFilter Filter() => new() { Tenant = caller.Tenant, UserId = Blank(caller.UserId) };

    private MemoryScope Scope() => new() { Tenant = caller.Tenant, UserId = caller.UserId ?? "" };

    /// <summary>A stdio caller pinned to one user sees only that user's memories, even by id.</summary>
    private bool Visible(Memory m) => string.IsNullOrEmpty(caller.UserId) || m.Scope.UserId == caller.UserId;

    private static bool TouchesAny(Memory m, List<string> files) =>
        m.FilesRead.Concat(m.FilesModified).Any(f => files.Any(w =>
            string.Equals(f, w, StringComparison.Ordinal) || f.EndsWith("/" + w.TrimStart('/'), StringComparison.Ordinal)));

    private static List<MemoryKind> ParseKinds(string[]? kinds)
    {
        var list = new List<MemoryKind>();
        foreach (var k in kinds ?? [])
        {
            if (string.IsNullOrWhiteSpace(k)) continue;
            list.Add(MemoryKinds.TryParse(k, out var kind)
                ? kind
                : throw new McpException($"kind '{k}' is not one of {string.Join(", ", MemoryKinds.All.Select(x => x.ToWire()))}"));
        }
        return list.Distinct().ToList();
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Engram's own errors are meant for the caller: they become tool errors with their message.</summary>
    private static async Task<T> Call<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (EngramException ex)
        {
            throw new McpException(ex.Message, ex);
        }
    }
}
