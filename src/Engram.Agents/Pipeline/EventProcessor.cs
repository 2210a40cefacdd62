using System.Collections.Concurrent;
using Engram.Agents.Adapters;
using Engram.Agents.Capture;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Privacy;
using Engram.Core.Services;
using Engram.Core.Storage;

namespace Engram.Agents.Pipeline;

/// <summary>
/// Turns one captured hook event into memories: a prompt memory, an observation, a resolved failure,
/// or the session's summary. Every memory it writes carries a source key derived from the event, so
/// processing the same event twice (a worker killed between writing and completing) changes nothing.
/// </summary>
/// <remarks>With <paramref name="readyContexts"/>, a session-start event the native hook answered from a ready context
/// records which memories that context gave the session.</remarks>
public sealed class EventProcessor(IMemoryService memory, IEventQueue queue, PipelineOptions options, IObservationCompressor? compressor = null,
    LlmSessionSummarizer? summarizer = null, (ContextInjections Recorder, ContextCache Cache)? readyContexts = null)
{
    private readonly IObservationCompressor _compressor = compressor ?? OfflineObservationCompressor.Instance;
    private const string Actor = "engram-worker";
    private readonly ConcurrentDictionary<string, ProjectIdentity> _projects = new(StringComparer.Ordinal);
    private ActedOnTracker? _actedOn;

    /// <summary>Working folders of events from agents that take context from a file (Cursor), for the worker to keep that file current.</summary>
    public ConcurrentDictionary<string, byte> ContextFileFolders { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Processes consecutive tool calls of one session together: one compressor call for all of them (a model
    /// distils several observations per request), then each is remembered as if processed alone.
    /// </summary>
    public async Task ProcessToolBatchAsync(IReadOnlyList<QueuedEvent> batch, CancellationToken cancellationToken)
    {
        var events = batch.Select(q => (Queued: q, Captured: CapturedEvent.Parse(q.Payload)
            ?? throw new EngramException($"queued event {q.Seq} is not a captured hook event"))).ToList();
        var worth = events.Where(e => e.Captured.IsToolCall && !options.Skips(e.Captured.Tool.ToolName)).ToList();
        if (worth.Count == 0) return;
        var project = Project(worth[0].Captured.Read.Cwd);
        var drafts = await _compressor.CompressAsync(worth.Select(e => e.Captured.Tool).ToList(), project?.Root, cancellationToken);
        for (var i = 0; i < worth.Count; i++)
        {
            if (drafts[i] is { } draft) await RememberToolUseAsync(worth[i].Captured, ScopeOf(worth[i].Queued, worth[i].Captured, project), project, draft, cancellationToken);
        }
    }

    private static MemoryScope ScopeOf(QueuedEvent queued, CapturedEvent captured, ProjectIdentity? project) => new()
    {
        Tenant = queued.Tenant,
        AgentId = captured.Agent,
        Project = project?.Key ?? "",
        SessionId = captured.Read.SessionId ?? "",
    };

    public async Task ProcessAsync(QueuedEvent queued, CancellationToken cancellationToken)
    {
        var captured = CapturedEvent.Parse(queued.Payload)
            ?? throw new EngramException($"queued event {queued.Seq} is not a captured hook event");
        var read = captured.Read;
        var project = Project(read.Cwd);
        var scope = ScopeOf(queued, captured, project);
        if (AgentRegistry.Find(captured.Agent) is IContextFileAdapter && read.Cwd is { Length: > 0 } cwd) ContextFileFolders.TryAdd(cwd, 0);

        switch (read.Kind)
        {
            case AgentEventKind.SessionStart when readyContexts is { } ready && project is not null:
                await ready.Recorder.RecordServedAsync(ready.Cache, captured, queued.Tenant, project.Key, cancellationToken);
                break;
            case AgentEventKind.Prompt:
                await RememberPromptAsync(captured, scope, project, cancellationToken);
                break;
            case AgentEventKind.ToolCall:
                if (!options.Skips(captured.Tool.ToolName)
                    && (await _compressor.CompressAsync([captured.Tool], project?.Root, cancellationToken))[0] is { } draft)
                {
                    await RememberToolUseAsync(captured, scope, project, draft, cancellationToken);
                }
                break;
            case AgentEventKind.AssistantAnswer or AgentEventKind.SessionEnd or AgentEventKind.Compaction or AgentEventKind.SubagentStop:
                if (captured.SessionKey is { } sessionKey) await SummarizeAsync(captured, sessionKey, scope, project, cancellationToken);
                break;
        }
    }

    private async Task RememberPromptAsync(CapturedEvent captured, MemoryScope scope, ProjectIdentity? project, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(captured.Read.Prompt)) return;
        await memory.AddAsync(new AddMemoryRequest
        {
            Content = captured.Read.Prompt,
            Kind = MemoryKind.Prompt,
            Scope = scope,
            Metadata = Metadata(project),
            ValidFrom = captured.CapturedAt,
            Source = new MemorySource { EventIds = [captured.Id], ExternalId = "prompt:" + captured.Id },
            Actor = Actor,
        }, cancellationToken);
    }

    private async Task RememberToolUseAsync(CapturedEvent captured, MemoryScope scope, ProjectIdentity? project, ObservationDraft draft, CancellationToken cancellationToken)
    {
        var read = captured.Read;
        if (readyContexts is { } ready)
        {
            _actedOn ??= new ActedOnTracker(ready.Recorder.Log, memory);
            var touched = draft.FilesModified.Concat(draft.FilesRead).Append(captured.Tool.InputString("file_path") ?? "")
                .Select(f => FileStateCapture.Absolute(f, project?.Root, read.Cwd)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            await _actedOn.NoteAsync(scope.Tenant, read.SessionId, captured.Tool.ToolName, touched, draft.Metadata.GetValueOrDefault("command"),
                project?.Root, captured.CapturedAt, cancellationToken);
        }

        // A command that passes after failing earlier in the session resolves those failures.
        var resolved = new List<Memory>();
        if (draft.Metadata.TryGetValue("outcome", out var outcome) && outcome == "passed" && draft.Metadata.TryGetValue("command", out var command))
        {
            await foreach (var earlier in memory.ListAsync(new MemoryFilter
            {
                Tenant = scope.Tenant,
                Project = scope.Project,
                SessionId = scope.SessionId,
                Kinds = [MemoryKind.Observation],
                Metadata = new Dictionary<string, string> { ["command"] = command, ["outcome"] = "failed" },
            }, 20, cancellationToken))
            {
                resolved.Add(earlier);
            }
            if (resolved.Count > 0)
            {
                var error = resolved[0].Facts.Count > 0 ? resolved[0].Facts[0] : null;
                draft = draft with
                {
                    Type = "bugfix",
                    // The error stays in the title, so a context that lists titles shows the failure with its fix.
                    Title = $"fixed: {OfflineCompressor.Cut(command, 100)} now passes" + (error is null ? "" : $" (it had failed with: {OfflineCompressor.Cut(error, 120)})"),
                    Narrative = draft.Narrative + (error is null ? "" : $" It had failed earlier in the session with: {error}"),
                    Importance = 0.7,
                };
            }
        }

        var metadata = new Dictionary<string, string>(Metadata(project), StringComparer.Ordinal) { ["tool"] = captured.Tool.ToolName };
        foreach (var (key, value) in draft.Metadata) metadata[key] = value;
        var externalId = "tool:" + (read.ToolUseId ?? captured.Id);
        var repeats = await RepeatedAsync(draft, scope, metadata, cancellationToken);
        if (repeats?.Source.ExternalId == externalId) return; // this very event, processed before the worker stopped
        var added = await memory.AddAsync(new AddMemoryRequest
        {
            Kind = MemoryKind.Observation,
            Scope = scope,
            Type = draft.Type,
            Title = draft.Title,
            Content = draft.Narrative,
            Facts = draft.Facts,
            Concepts = draft.Concepts,
            FilesRead = draft.FilesRead,
            FilesModified = draft.FilesModified,
            FileStates = FileStateCapture.Of(captured.Tool, draft, project?.Root, read.Cwd),
            Metadata = metadata,
            Importance = draft.Importance,
            ValidFrom = captured.CapturedAt,
            Source = new MemorySource
            {
                ToolUseId = read.ToolUseId,
                EventIds = [captured.Id],
                ExternalId = externalId,
            },
            Consolidates = repeats?.Id,
            Actor = Actor,
        }, cancellationToken);

        var fix = added.Results[0].Memory;
        foreach (var failure in resolved.Where(f => !f.Metadata.ContainsKey("resolved_by")))
        {
            var marked = new Dictionary<string, string>(failure.Metadata, StringComparer.Ordinal) { ["resolved_by"] = fix.Id };
            await memory.UpdateAsync(failure.Id, new MemoryUpdate { Metadata = marked, Actor = Actor, Reason = $"resolved by {fix.Id}" }, scope.Tenant, cancellationToken);
        }
    }

    /// <summary>
    /// The project's current observation this one repeats (see <see cref="RepeatKey"/>), if any; the key is
    /// added to <paramref name="metadata"/> so the next repeat finds this one.
    /// </summary>
    private async Task<Memory?> RepeatedAsync(ObservationDraft draft, MemoryScope scope, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        if (!options.Consolidate || scope.Project.Length == 0 || RepeatKey.Of(draft) is not { } key) return null;
        metadata[RepeatKey.MetadataKey] = key;
        await foreach (var earlier in memory.ListAsync(new MemoryFilter
        {
            Tenant = scope.Tenant,
            Project = scope.Project,
            Kinds = [MemoryKind.Observation],
            Metadata = new Dictionary<string, string> { [RepeatKey.MetadataKey] = key },
        }, 1, cancellationToken))
        {
            return earlier;
        }
        return null;
    }

    private async Task SummarizeAsync(CapturedEvent captured, string sessionKey, MemoryScope scope, ProjectIdentity? project, CancellationToken cancellationToken)
    {
        var prompts = new List<string>();
        var filesRead = new List<string>();
        string? lastAssistant = null;
        foreach (var queued in await queue.ListSessionAsync(sessionKey, cancellationToken))
        {
            if (queued.Payload.Length == 0) continue;
            var earlier = CapturedEvent.Parse(queued.Payload);
            if (earlier is null) continue;
            if (string.CompareOrdinal(earlier.Id, captured.Id) > 0) break; // only what happened up to this event
            if (AgentRegistry.Resolve(earlier.Agent, earlier.Event) is null) continue;
            var said = earlier.Read;
            switch (said.Kind)
            {
                case AgentEventKind.Prompt when !string.IsNullOrWhiteSpace(said.Prompt):
                    prompts.Add(said.Prompt);
                    break;
                case AgentEventKind.ToolCall when OfflineCompressor.FileRead(earlier.Tool, project?.Root) is { } file:
                    filesRead.Add(file);
                    break;
                case AgentEventKind.AssistantAnswer when !string.IsNullOrWhiteSpace(said.AssistantMessage):
                    lastAssistant = said.AssistantMessage;
                    break;
            }
        }
        if (!string.IsNullOrWhiteSpace(captured.Read.AssistantMessage)) lastAssistant = captured.Read.AssistantMessage;
        if (lastAssistant is null && captured.Read.TranscriptPath is { Length: > 0 } transcriptPath
            && AgentRegistry.Find(captured.Agent) is ITranscriptAdapter transcripts)
        {
            // Some agent versions do not send the last message; their transcript has it.
            var transcript = await transcripts.ReadTranscriptAsync(transcriptPath, cancellationToken);
            if (transcript.LastAssistantMessage is { } message) lastAssistant = PrivacyFilter.Apply(message);
            if (prompts.Count == 0) prompts.AddRange(transcript.UserPrompts.Select(PrivacyFilter.Apply));
        }

        var observations = new List<Memory>();
        await foreach (var m in memory.ListAsync(new MemoryFilter
        {
            Tenant = scope.Tenant,
            Project = scope.Project,
            SessionId = scope.SessionId,
            Kinds = [MemoryKind.Observation],
        }, 200, cancellationToken))
        {
            observations.Add(m);
        }
        observations.Reverse(); // oldest first
        if (prompts.Count == 0 && observations.Count == 0 && lastAssistant is null) return;

        var summary = SessionSummaryBuilder.Build(prompts, observations, filesRead, lastAssistant);
        if (summarizer is not null) summary = await summarizer.ImproveAsync(summary, lastAssistant, cancellationToken);
        var metadata = new Dictionary<string, string>(Metadata(project), StringComparer.Ordinal) { ["last_event"] = captured.Event };
        if (summary.NextSteps.Count > 0) metadata["next_steps"] = string.Join("\n", summary.NextSteps);
        if (summary.UnresolvedFailures.Count > 0) metadata["unresolved"] = string.Join("\n", summary.UnresolvedFailures);

        Memory? existing = null;
        await foreach (var m in memory.ListAsync(MemoryFilter.For(scope) with { Kinds = [MemoryKind.Summary] }, 1, cancellationToken)) existing = m;
        if (existing is null)
        {
            await memory.AddAsync(new AddMemoryRequest
            {
                Kind = MemoryKind.Summary,
                Scope = scope,
                Type = "session",
                Title = summary.Title,
                Content = summary.Content,
                Facts = summary.Decisions,
                FilesRead = summary.FilesRead,
                FilesModified = summary.FilesModified,
                Metadata = metadata,
                Importance = 0.7,
                ValidFrom = captured.CapturedAt,
                Source = new MemorySource { EventIds = [captured.Id], ExternalId = "summary:" + sessionKey },
                Actor = Actor,
            }, cancellationToken);
        }
        else if (existing.Content != summary.Content || existing.Title != summary.Title)
        {
            await memory.UpdateAsync(existing.Id, new MemoryUpdate
            {
                Content = summary.Content,
                Title = summary.Title,
                Facts = summary.Decisions,
                FilesRead = summary.FilesRead,
                FilesModified = summary.FilesModified,
                Metadata = metadata,
                Actor = Actor,
                Reason = $"session {captured.Event}",
            }, scope.Tenant, cancellationToken);
        }
    }

    private ProjectIdentity? Project(string? cwd)
    {
        if (string.IsNullOrWhiteSpace(cwd)) return null;
        return _projects.GetOrAdd(cwd, static c => ProjectIdentity.Resolve(c));
    }

    private static Dictionary<string, string> Metadata(ProjectIdentity? project)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (project is not null) metadata["project_name"] = project.DisplayName;
        return metadata;
    }
}
