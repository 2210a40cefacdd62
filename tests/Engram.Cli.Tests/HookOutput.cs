using Engram.Testing;
using System.Text.Json;

namespace Engram.Cli.Tests;

/// <summary>Reads what a session-start hook printed for the agent, as Claude Code reads it.</summary>
internal static class HookOutput
{
    /// <summary>The additionalContext of a successful session-start run; empty when the hook printed nothing.</summary>
    public static string ContextOf(ProcessResult result)
    {
        Assert.Equal(0, result.ExitCode);
        if (result.Stdout.Length == 0) return "";
        using var document = JsonDocument.Parse(result.Stdout);
        var output = document.RootElement.GetProperty("hookSpecificOutput");
        Assert.Equal("SessionStart", output.GetProperty("hookEventName").GetString());
        return output.GetProperty("additionalContext").GetString()!;
    }
}
