using Engram.Agents.Adapters;
using Engram.Agents.Capture;
using Engram.Agents.Pipeline;
using Engram.Agents.Worker;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>
/// The session-start command hook: prints <see cref="SessionStartAnswer"/> on stdout (which Claude Code, Codex and Gemini CLI read).
/// Any failure prints nothing: a session without memories beats a broken one.
/// </summary>
internal static class SessionStart
{
    private static readonly TimeSpan ProcessingBudget = TimeSpan.FromSeconds(2.5);

    /// <param name="spooledId">The id of this session-start event in the spool: the id of the injection record.</param>
    public static async Task WriteContextAsync(EngramHome home, byte[]? rawPayload, string? spooledId, HookLog log)
    {
        try
        {
            var payload = rawPayload is null ? null : HookPayload.Parse(rawPayload);
            // Words only: the session-start budget has no room for loading the embedding model.
            await using var runtime = await EngramRuntime.OpenAsync(home, vectors: false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(8));
            await SessionStartAnswer.BuildAsync(runtime.Agents(), payload, spooledId, ContextInjections.SessionStartSource, ProcessingBudget, timeout.Token,
                deliver: output =>
                {
                    if (output.Length == 0) return;
                    using var stdout = Console.OpenStandardOutput();
                    stdout.Write(output);
                });
        }
        catch (Exception ex)
        {
            log.Error("session-start", $"no context given: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
