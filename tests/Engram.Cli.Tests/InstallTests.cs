using System.Text.Json;
using Engram.Testing;

namespace Engram.Cli.Tests;

public sealed class InstallTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Install_is_idempotent_keeps_other_settings_and_uninstall_restores_the_file()
    {
        var home = _folder.File("user");
        Directory.CreateDirectory(Path.Combine(home, ".claude"));
        var settings = Path.Combine(home, ".claude", "settings.json");
        const string original = "{\n  \"model\": \"opus\",\n  \"permissions\": { \"allow\": [\"Bash(git log:*)\"] },\n  \"hooks\": {\n    \"PostToolUse\": [\n      { \"matcher\": \"Bash\", \"hooks\": [ { \"type\": \"command\", \"command\": \"echo mine\" } ] }\n    ]\n  }\n}\n";
        await File.WriteAllTextAsync(settings, original, TestContext.Current.CancellationToken);
        var engram = new EngramProcess(Path.Combine(home, ".engram"));
        engram.Environment["HOME"] = home;
        engram.Environment["CLAUDE_CONFIG_DIR"] = null;

        var first = await engram.RunAsync("install", "--json");
        Assert.Equal(0, first.ExitCode);
        using (var result = JsonDocument.Parse(first.Stdout))
        {
            var claude = Assert.Single(result.RootElement.GetProperty("agents").EnumerateArray());
            Assert.Equal("claude-code", claude.GetProperty("agent").GetString());
            Assert.True(claude.GetProperty("changed").GetBoolean());
            Assert.Contains(claude.GetProperty("files").EnumerateArray(), f => f.GetProperty("path").GetString() == settings && f.GetProperty("changed").GetBoolean());
        }
        var installed = await File.ReadAllTextAsync(settings, TestContext.Current.CancellationToken);
        var second = await engram.RunAsync("install", "--json");
        using (var result = JsonDocument.Parse(second.Stdout)) Assert.False(Assert.Single(result.RootElement.GetProperty("agents").EnumerateArray()).GetProperty("changed").GetBoolean());
        Assert.Equal(installed, await File.ReadAllTextAsync(settings, TestContext.Current.CancellationToken));

        using (var document = JsonDocument.Parse(installed))
        {
            var root = document.RootElement;
            Assert.Equal("opus", root.GetProperty("model").GetString());
            Assert.Equal("Bash(git log:*)", root.GetProperty("permissions").GetProperty("allow")[0].GetString());
            var hooks = root.GetProperty("hooks");
            foreach (var name in new[] { "SessionStart", "UserPromptSubmit", "PostToolUse", "PostToolUseFailure", "Stop", "SubagentStop", "SessionEnd", "PreCompact" })
            {
                var commands = hooks.GetProperty(name).EnumerateArray().SelectMany(g => g.GetProperty("hooks").EnumerateArray()).Select(h => h.GetProperty("command").GetString()!).ToList();
                // The native hook published beside engram (as an install lays it out) is what the hooks run.
                var native = Path.Combine(AppContext.BaseDirectory, "engram-hook");
                var kebab = string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
                Assert.Single(commands, c => c == $"{native} claude-code {kebab}");
            }
            Assert.Contains(hooks.GetProperty("PostToolUse").EnumerateArray().SelectMany(g => g.GetProperty("hooks").EnumerateArray()), h => h.GetProperty("command").GetString() == "echo mine");
        }
        using (var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(home, ".claude.json"), TestContext.Current.CancellationToken)))
        {
            // The native MCP front end published beside engram is what Claude Code starts.
            var server = state.RootElement.GetProperty("mcpServers").GetProperty("engram");
            Assert.Equal(Path.Combine(AppContext.BaseDirectory, "engram-mcp"), server.GetProperty("command").GetString());
            Assert.Empty(server.GetProperty("args").EnumerateArray());
        }

        var doctor = await engram.RunAsync("doctor", "--json");
        Assert.Equal(0, doctor.ExitCode);
        using (var report = JsonDocument.Parse(doctor.Stdout))
        {
            var checks = report.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("ok").GetBoolean());
            Assert.True(checks["claude code hooks"]);
            Assert.True(checks["claude code mcp"]);
            Assert.True(checks["hook speed"]);
            Assert.True(checks["mcp speed"]);
        }

        Assert.Equal(0, (await engram.RunAsync("uninstall")).ExitCode);
        Assert.Equal(original, await File.ReadAllTextAsync(settings, TestContext.Current.CancellationToken));
        var after = await engram.RunAsync("doctor");
        Assert.Contains("not installed (run: engram install)", after.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_upgrades_an_older_managed_install_in_place_and_doctor_warns_about_the_slow_path()
    {
        var home = _folder.File("upgrade");
        Directory.CreateDirectory(Path.Combine(home, ".claude"));
        var settings = Path.Combine(home, ".claude", "settings.json");
        const string original = "{\n  \"hooks\": {\n    \"Stop\": [ { \"hooks\": [ { \"type\": \"command\", \"command\": \"echo mine\" } ] } ]\n  }\n}\n";
        await File.WriteAllTextAsync(settings, original, TestContext.Current.CancellationToken);
        var engram = new EngramProcess(Path.Combine(home, ".engram"));
        engram.Environment["HOME"] = home;
        engram.Environment["CLAUDE_CONFIG_DIR"] = null;

        // What an earlier Engram wrote: every hook through the managed CLI.
        Assert.Equal(0, (await engram.RunAsync("install", "--managed-hook", "--command", "/opt/old/engram")).ExitCode);
        var managed = await File.ReadAllTextAsync(settings, TestContext.Current.CancellationToken);
        Assert.Contains("/opt/old/engram hook claude-code post-tool-use", managed, StringComparison.Ordinal);
        Assert.DoesNotContain("engram-hook", managed, StringComparison.Ordinal);
        Assert.False(await CheckOkAsync(engram, "hook speed"));
        Assert.False(await CheckOkAsync(engram, "mcp speed"));
        Assert.Contains("/opt/old/engram", await File.ReadAllTextAsync(Path.Combine(home, ".claude.json"), TestContext.Current.CancellationToken), StringComparison.Ordinal);

        Assert.Equal(0, (await engram.RunAsync("install")).ExitCode);
        var upgraded = await File.ReadAllTextAsync(settings, TestContext.Current.CancellationToken);
        var native = Path.Combine(AppContext.BaseDirectory, "engram-hook");
        Assert.DoesNotContain(" hook claude-code ", upgraded, StringComparison.Ordinal);
        Assert.Contains($"{native} claude-code post-tool-use", upgraded, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(upgraded))
        {
            var stop = document.RootElement.GetProperty("hooks").GetProperty("Stop").EnumerateArray()
                .SelectMany(g => g.GetProperty("hooks").EnumerateArray()).Select(h => h.GetProperty("command").GetString()).ToList();
            Assert.Equal(["echo mine", $"{native} claude-code stop"], stop);
        }
        Assert.True(await CheckOkAsync(engram, "hook speed"));
        Assert.True(await CheckOkAsync(engram, "mcp speed"));
        // The engram on PATH is what one-shot commands start: slow unless it is the native front (install.sh links it).
        var bin = Directory.CreateDirectory(Path.Combine(home, "bin")).FullName;
        engram.Environment["PATH"] = bin + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");
        File.CreateSymbolicLink(Path.Combine(bin, "engram"), Path.Combine(AppContext.BaseDirectory, "engram"));
        Assert.False(await CheckOkAsync(engram, "command speed"));
        File.Delete(Path.Combine(bin, "engram"));
        File.CreateSymbolicLink(Path.Combine(bin, "engram"), Path.Combine(AppContext.BaseDirectory, "engram-front"));
        Assert.True(await CheckOkAsync(engram, "command speed"));
        Assert.DoesNotContain("/opt/old/engram", await File.ReadAllTextAsync(Path.Combine(home, ".claude.json"), TestContext.Current.CancellationToken), StringComparison.Ordinal);

        Assert.Equal(0, (await engram.RunAsync("uninstall")).ExitCode);
        // Install created ~/.claude.json, so uninstall removes it once nothing else is in it.
        var claudeJson = Path.Combine(home, ".claude.json");
        Assert.False(File.Exists(claudeJson) && File.ReadAllText(claudeJson).Contains("engram-mcp", StringComparison.Ordinal));
        Assert.Equal(original, await File.ReadAllTextAsync(settings, TestContext.Current.CancellationToken));
    }

    private static async Task<bool> CheckOkAsync(EngramProcess engram, string check)
    {
        var doctor = await engram.RunAsync("doctor", "--json");
        Assert.Equal(0, doctor.ExitCode);
        using var report = JsonDocument.Parse(doctor.Stdout);
        return report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == check).GetProperty("ok").GetBoolean();
    }

    [Fact]
    public async Task A_broken_settings_file_is_refused_and_left_alone()
    {
        var home = _folder.File("user");
        Directory.CreateDirectory(Path.Combine(home, ".claude"));
        var settings = Path.Combine(home, ".claude", "settings.json");
        await File.WriteAllTextAsync(settings, "{ \"hooks\": { oops", TestContext.Current.CancellationToken);
        var engram = new EngramProcess(Path.Combine(home, ".engram"));
        engram.Environment["HOME"] = home;
        var result = await engram.RunAsync("install");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(settings, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("{ \"hooks\": { oops", await File.ReadAllTextAsync(settings, TestContext.Current.CancellationToken));
    }
}
