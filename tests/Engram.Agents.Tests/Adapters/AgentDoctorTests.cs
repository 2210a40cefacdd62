using Engram.Agents.Adapters;

namespace Engram.Agents.Tests.Adapters;

public sealed class AgentDoctorTests
{
    [Fact]
    public void A_settings_file_that_is_both_the_users_and_the_projects_is_reported_once()
    {
        const string file = "/home/u/.claude/settings.json";
        var check = AgentDoctor.Hooks("Claude Code", [file, file], _ => [("Stop", "engram-hook claude-code stop")], ["Stop"]);
        Assert.True(check.Ok);
        Assert.Equal($"{file}: Stop", check.Detail);
    }
}
