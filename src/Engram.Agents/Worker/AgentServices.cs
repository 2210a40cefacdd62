using Engram.Agents.Capture;
using Engram.Agents.Pipeline;
using Engram.Core.Services;
using Engram.Core.Storage;
using Microsoft.Extensions.AI;

namespace Engram.Agents.Worker;

/// <summary>The hook settings the agent side reads (settings.json's Hooks and Llm sections).</summary>
public sealed record AgentOptions
{
    /// <summary>Tools whose calls are not worth an observation; null for <see cref="PipelineOptions.DefaultSkipTools"/>.</summary>
    public IReadOnlyList<string>? SkipTools { get; init; }

    /// <summary>The session-start context's budget.</summary>
    public int ContextTokens { get; init; } = 1500;

    /// <summary>Compress observations and summarize sessions with the chat model (when there is one).</summary>
    public bool CompressSessions { get; init; }

    /// <summary>The model for that compression; null for the chat client's own.</summary>
    public string? CompressionModel { get; init; }
}

/// <summary>
/// What the agent side of Engram runs on: the home folder (spool, logs, ready contexts), the memory service and its
/// local store, the clock and the chat model. The worker, the session-start answer and the hook endpoints all start here.
/// </summary>
/// <param name="store">The memory service's store; null when it is a remote server's (contexts can be built, nothing processed).</param>
public sealed class AgentServices(string homeRoot, IMemoryService memory, IEngramStore? store, AgentOptions options, TimeProvider? time = null, IChatClient? chat = null)
{
    public string HomeRoot { get; } = homeRoot;
    public IMemoryService Memory { get; } = memory;
    public IEngramStore Store => store ?? throw new Core.EngramException("captured events are processed on the local store only, not through --server (remote mode)");
    public AgentOptions Options { get; } = options;
    public TimeProvider Time { get; } = time ?? TimeProvider.System;
    public IChatClient? Chat { get; } = chat;

    public Spool Spool => Spool.ForHome(HomeRoot);
    public HookLog Log => HookLog.ForHome(HomeRoot);

    /// <summary>The capture pipeline: spool to queue to memories.</summary>
    public PipelineRunner Runner() => new(
        Memory,
        Store.Queue,
        Spool,
        Log,
        new PipelineOptions { SkipTools = Options.SkipTools ?? PipelineOptions.DefaultSkipTools },
        Options.CompressSessions && Chat is { } chat ? new LlmObservationCompressor(chat, Options.CompressionModel) : null,
        Options.CompressSessions && Chat is { } model ? new LlmSessionSummarizer(model, Options.CompressionModel) : null,
        (Store.Injections, new ContextCache(HomeRoot)));

    /// <summary>
    /// The context a session started in <paramref name="cwd"/> (or for a given project key) is given.
    /// With a project key, the branch is read from <paramref name="branchFrom"/> when given.
    /// </summary>
    public Task<SessionContext> BuildContextAsync(string cwd, string? projectKey, CancellationToken cancellationToken,
        string tenant = Core.Model.MemoryScope.DefaultTenant, string? branchFrom = null)
    {
        var identity = ProjectIdentity.Resolve(cwd);
        var branchFolder = projectKey is null ? cwd : branchFrom;
        return new SessionContextBuilder(Memory, store?.Injections).BuildAsync(new ContextRequest
        {
            Tenant = tenant,
            ProjectKey = projectKey ?? identity.Key,
            ProjectName = projectKey is null ? identity.DisplayName : branchFrom is null ? projectKey : identity.DisplayName,
            Branch = branchFolder is null ? null : GitBranch.Read(branchFolder),
            MaxTokens = Options.ContextTokens,
        }, cancellationToken);
    }
}
