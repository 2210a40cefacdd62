using System.ComponentModel;
using System.Globalization;
using System.Text;
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
/// Parameter names are the wire names, hence snake_case.
/// </summary>
[McpServerToolType]
internal sealed class EngramTools(IMemoryService memory, EngramCaller caller, TimeProvider? time = null)
{
    private const string Actor = "mcp";
    private const int MaxIds = 50;
    private const int MaxUserEdits = 50;
    private const int MaxUserEditLength = 500;

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
            return $"No memories match \"{query}\". Try other words, fewer filters, or recent_chats to browse recent sessions.";
        }
        var lines = memories.Select(Format.IndexLine).ToList();
        var index = string.Join('\n', lines);
        var full = memories.Sum(m => Tokens.Estimate(Format.Record(m)));
        return $"{memories.Count} memor{(memories.Count == 1 ? "y" : "ies")} for \"{query}\", best first " +
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
            if (anchor is null) return $"No memory matches \"{query}\", so there is no timeline to show.";
        }
        else
        {
            throw new McpException("give anchor_id (a memory id from search) or query");
        }

        var around = Filter() with
        {
            SessionId = Blank(anchor.Scope.SessionId),
            Project = anchor.Scope.SessionId.Length == 0 ? Blank(anchor.Scope.Project) : null,
        };
        var before = new List<Memory>();
        await foreach (var m in memory.ListAsync(around with { Until = anchor.ValidFrom }, depth_before + 1, cancellationToken))
        {
            before.Add(m);
        }
        // Memories are listed newest first, so the oldest ones after the anchor are found in a window that
        // doubles until it holds enough of them (or reaches the present): bounded work in a long project.
        var sameTimeOrLater = new List<Memory>();
        var window = TimeSpan.FromHours(1);
        var horizon = (time ?? TimeProvider.System).GetUtcNow().AddDays(1);
        while (true)
        {
            sameTimeOrLater.Clear();
            var until = anchor.ValidFrom + window;
            await foreach (var m in memory.ListAsync(around with { Since = anchor.ValidFrom, Until = until }, null, cancellationToken))
            {
                if (m.Id != anchor.Id) sameTimeOrLater.Add(m);
            }
            if (sameTimeOrLater.Count > depth_after || until > horizon) break;
            window *= 4;
        }
        static int Chronological(Memory a, Memory b)
        {
            var byTime = a.ValidFrom.CompareTo(b.ValidFrom);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Id, b.Id);
        }
        // Memories stamped in the anchor's own millisecond fall on either side of it by id.
        before.AddRange(sameTimeOrLater.Where(m => Chronological(m, anchor) < 0));
        before.Sort(Chronological);
        var after = sameTimeOrLater.Where(m => Chronological(m, anchor) > 0).ToList();
        after.Sort(Chronological);

        await memory.NoteFetchedAsync([anchor.Id], caller.Tenant, "timeline", cancellationToken);
        var shown = before.TakeLast(depth_before).Append(anchor).Concat(after.Take(depth_after)).ToList();
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

    [McpServerTool(Name = "conversation_search", Title = "Search past conversations", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Find past sessions (chats) about a topic. Use when the user refers to an earlier conversation " +
        "(\"what did we decide about...\", \"continue where we left off on...\"). Returns <chat url=... updated_at=...> " +
        "elements with the matching snippets; the url names the session.")]
    public async Task<string> ConversationSearch(
        [Description("Words from the topic to look for.")] string query,
        [Description("Most sessions to return, 1-10. Default 5.")] int max_results = 5,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(query)) throw new McpException("query is empty; give a few words from the topic");
        if (max_results is < 1 or > 10) throw new McpException($"max_results {max_results} is out of range; use 1 to 10");
        var hits = await Call(() => memory.SearchAsync(new SearchRequest { Query = query, Filter = Filter(), Limit = 100 }, cancellationToken));
        var sessions = hits.Where(h => h.Memory.Scope.SessionId.Length > 0)
            .GroupBy(h => h.Memory.Scope.SessionId, StringComparer.Ordinal)
            .Take(max_results)
            .ToList();
        if (sessions.Count == 0) return $"No past conversation matches \"{query}\".";

        var s = new StringBuilder();
        foreach (var session in sessions)
        {
            var latest = DateTimeOffset.MinValue;
            await foreach (var m in memory.ListAsync(Filter() with { SessionId = session.Key }, 1, cancellationToken))
            {
                latest = m.ValidFrom;
            }
            if (latest == DateTimeOffset.MinValue) latest = session.Max(h => h.Memory.ValidFrom);
            var first = session.First().Memory;
            s.Append(CultureInfo.InvariantCulture,
                $"<chat url=\"{Format.Attribute(SessionDigest.UrlOf(session.Key))}\" updated_at=\"{Format.Iso(latest)}\"");
            if (first.Scope.Project.Length > 0) s.Append(CultureInfo.InvariantCulture, $" project=\"{Format.Attribute(first.Scope.Project)}\"");
            s.AppendLine(">");
            foreach (var hit in session.Take(3))
            {
                s.AppendLine(Format.ChatText($"[{hit.Memory.Id}] {Format.KindAndType(hit.Memory)}: {Format.Shorten(hit.Memory.Content, 300)}"));
            }
            s.AppendLine("</chat>");
        }
        return s.ToString().TrimEnd();
    }

    [McpServerTool(Name = "recent_chats", Title = "Recent conversations", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("List recent past sessions (chats), newest first by default, each as a <chat url=... updated_at=...> element " +
        "with its summary or first prompt. Use when the user asks what they worked on recently or to pick up a past session.")]
    public async Task<string> RecentChats(
        [Description("How many sessions, 1-20. Default 3.")] int n = 3,
        [Description("desc (newest first, default) or asc (oldest first).")] string sort_order = "desc",
        [Description("Only sessions with activity before this time (ISO date or time, UTC).")] string? before = null,
        [Description("Only sessions with activity from this time on (ISO date or time, UTC).")] string? after = null,
        CancellationToken cancellationToken = default)
    {
        if (n is < 1 or > 20) throw new McpException($"n {n} is out of range; use 1 to 20");
        var order = (sort_order ?? "desc").Trim().ToLowerInvariant();
        if (order is not ("asc" or "desc")) throw new McpException($"sort_order '{sort_order}' must be asc or desc");
        var filter = Filter() with { Until = Format.Date(before, "before"), Since = Format.Date(after, "after") };
        var sessions = await Call(() => memory.ListSessionsAsync(filter, n, order == "asc", cancellationToken));
        if (sessions.Count == 0) return "No past sessions in that window.";

        var s = new StringBuilder();
        foreach (var d in sessions)
        {
            s.Append(CultureInfo.InvariantCulture,
                $"<chat url=\"{Format.Attribute(d.Url)}\" updated_at=\"{Format.Iso(d.UpdatedAt)}\" started_at=\"{Format.Iso(d.StartedAt)}\" memories=\"{d.Memories}\"");
            if (d.Project.Length > 0) s.Append(CultureInfo.InvariantCulture, $" project=\"{Format.Attribute(d.Project)}\"");
            s.AppendLine(">");
            var headline = d.Headline.Title is { Length: > 0 } title ? $"{title}: {d.Headline.Content}" : d.Headline.Content;
            s.AppendLine(Format.ChatText($"{d.Headline.Kind.ToWire()}: {Format.Shorten(headline, 500)}"));
            s.AppendLine("</chat>");
        }
        return s.ToString().TrimEnd();
    }

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

    /// <summary>The full record of one memory, for the engram://memory/{id} resource; null when the caller cannot see it.</summary>
    internal async Task<Memory?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        var m = await Call(() => memory.GetAsync(id, caller.Tenant, cancellationToken));
        return m is not null && Visible(m) ? m : null;
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
