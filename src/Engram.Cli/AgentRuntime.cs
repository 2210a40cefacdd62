using Engram.Agents;
using Engram.Agents.Capture;
using Engram.Agents.Pipeline;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>The pieces of the capture pipeline, composed from a runtime and its settings.</summary>
internal static class AgentRuntime
{
    public static PipelineRunner Runner(EngramRuntime runtime) => new(
        runtime.Memory,
        runtime.Queue,
        Spool.ForHome(runtime.Home.Root),
        HookLog.ForHome(runtime.Home.Root),
        new PipelineOptions { SkipTools = runtime.Settings.Hooks.SkipTools ?? PipelineOptions.DefaultSkipTools },
        runtime.Settings.Llm.CompressSessions && runtime.Chat is { } chat
            ? new LlmObservationCompressor(chat, runtime.Settings.Llm.CompressionModel)
            : null,
        runtime.Settings.Llm.CompressSessions && runtime.Chat is { } model
            ? new LlmSessionSummarizer(model, runtime.Settings.Llm.CompressionModel)
            : null,
        (runtime.Store.Injections, new ContextCache(runtime.Home.Root)));

    /// <summary>
    /// The context a session started in <paramref name="cwd"/> (or for a given project key) is given.
    /// With a project key, the branch is read from <paramref name="branchFrom"/> when given.
    /// </summary>
    public static Task<SessionContext> ContextAsync(EngramRuntime runtime, string cwd, string? projectKey, CancellationToken cancellationToken,
        string tenant = Core.Model.MemoryScope.DefaultTenant, string? branchFrom = null)
    {
        var identity = ProjectIdentity.Resolve(cwd);
        var branchFolder = projectKey is null ? cwd : branchFrom;
        return new SessionContextBuilder(runtime.Memory, runtime.Store.Injections).BuildAsync(new ContextRequest
        {
            Tenant = tenant,
            ProjectKey = projectKey ?? identity.Key,
            ProjectName = projectKey is null ? identity.DisplayName : branchFrom is null ? projectKey : identity.DisplayName,
            Branch = branchFolder is null ? null : GitBranch.Read(branchFolder),
            MaxTokens = runtime.Settings.Hooks.ContextTokens,
        }, cancellationToken);
    }
}
