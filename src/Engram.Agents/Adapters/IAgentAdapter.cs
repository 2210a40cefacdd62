namespace Engram.Agents.Adapters;

/// <summary>
/// Everything Engram knows about one coding agent: its hook event names, how to read its payloads into
/// <see cref="AgentEvent"/>s, how context goes back to it, and how to install into its config files.
/// The pipeline, the hook commands and the installers talk to agents only through this interface, so
/// adding an agent is adding a folder with an adapter and one line in <see cref="AgentRegistry"/>.
/// </summary>
/// <remarks>
/// Event names on Engram's side (<c>engram hook AGENT EVENT</c>) are kebab-case. The event named
/// <see cref="SessionStartEvent"/> is the one whose hook prints the context, as
/// <c>{"hookSpecificOutput":{"hookEventName":"SessionStart","additionalContext":...}}</c> (the form Claude
/// Code, Codex and Gemini CLI share): the native hook answers it from the worker's ready contexts without
/// knowing the agent. An agent that takes context another way gives no event that name.
/// </remarks>
public interface IAgentAdapter
{
    /// <summary>The name on Engram's command line and in the store's agent scope, such as <c>codex</c>.</summary>
    string Name { get; }

    /// <summary>The agent's name for people, such as <c>Codex CLI</c>.</summary>
    string DisplayName { get; }

    /// <summary>Engram's names for the events this agent sends, each with its neutral meaning.</summary>
    IReadOnlyDictionary<string, AgentEventKind> Events { get; }

    /// <summary>Reads one payload of <paramref name="eventName"/> (one of <see cref="Events"/>); never throws on bad input.</summary>
    AgentEvent Parse(string eventName, ReadOnlySpan<byte> payload);

    /// <summary>Installs, removes and checks Engram's hooks and MCP entry in this agent's config files.</summary>
    IAgentInstaller Installer { get; }

    /// <summary>The event whose hook output carries the session-start context.</summary>
    const string SessionStartEvent = "session-start";
}

/// <summary>An agent that takes Engram's context from a file in the project, kept current by the worker.</summary>
public interface IContextFileAdapter
{
    /// <summary>The file for a project root, or null when the agent is not used in that project.</summary>
    string? ContextFile(string projectRoot);

    /// <summary>The file's content for a context (empty context: a file that says nothing is remembered yet).</summary>
    byte[] RenderContextFile(string context);
}

/// <summary>What Engram takes from an agent's transcript: the user's prompts and the last answer.</summary>
public sealed record TranscriptGist(IReadOnlyList<string> UserPrompts, string? LastAssistantMessage);

/// <summary>An agent whose transcript file Engram can read, for versions that do not send the last answer.</summary>
public interface ITranscriptAdapter
{
    Task<TranscriptGist> ReadTranscriptAsync(string path, CancellationToken cancellationToken);
}
