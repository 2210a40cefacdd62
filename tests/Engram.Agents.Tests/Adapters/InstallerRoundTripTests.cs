using System.Text.Json;
using Engram.Agents.Adapters;
using Engram.Agents.Codex;

namespace Engram.Agents.Tests.Adapters;

/// <summary>Codex and Gemini CLI installs: idempotent, upgraded in place, and undone byte for byte.</summary>
/// <remarks>Codex's user files are found through CODEX_HOME, which these tests set; they run one at a time in this class.</remarks>
public sealed class InstallerRoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string? _codexHome = Environment.GetEnvironmentVariable("CODEX_HOME");

    public InstallerRoundTripTests() => Environment.SetEnvironmentVariable("CODEX_HOME", _temp.CreateDirectory("codex-home"));

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("CODEX_HOME", _codexHome);
        _temp.Dispose();
    }

    private InstallOptions Options(string engram = "/opt/engram/engram", AgentProcess? run = null) =>
        new("user", _temp.CreateDirectory("project"), engram, NativeHook: "/opt/engram/engram-hook") { Run = run };

    private static IAgentInstaller Installer(string agent) => AgentRegistry.Find(agent)!.Installer;

    [Fact]
    public void Codex_install_writes_hooks_json_and_a_config_block_and_uninstall_gives_back_every_byte()
    {
        const string config = "# my codex config\nmodel = \"gpt-5.5\"\n\n[features]\nweb_search = true\n\n[mcp_servers.docs]\ncommand = \"docs-mcp\"\n";
        const string hooks = "{\n  \"hooks\": {\n    \"Stop\": [ { \"hooks\": [ { \"type\": \"command\", \"command\": \"say done\" } ] } ]\n  }\n}\n";
        File.WriteAllText(CodexPaths.Config(), config);
        File.WriteAllText(CodexPaths.UserHooks(), hooks);

        var installed = Installer("codex").Install(Options());
        Assert.All(installed, r => Assert.True(r.Changed));
        var hooksText = File.ReadAllText(CodexPaths.UserHooks());
        using (var document = JsonDocument.Parse(hooksText))
        {
            var events = document.RootElement.GetProperty("hooks");
            foreach (var hookEvent in CodexHookEvent.All)
            {
                var commands = events.GetProperty(hookEvent.Name).EnumerateArray().SelectMany(g => g.GetProperty("hooks").EnumerateArray()).Select(h => h.GetProperty("command").GetString()).ToList();
                Assert.Contains($"/opt/engram/engram-hook codex {hookEvent.CommandName}", commands);
            }
            Assert.Contains("say done", events.GetProperty("Stop").EnumerateArray().SelectMany(g => g.GetProperty("hooks").EnumerateArray()).Select(h => h.GetProperty("command").GetString()));
        }
        var configText = File.ReadAllText(CodexPaths.Config());
        Assert.StartsWith(config, configText, StringComparison.Ordinal);
        Assert.Contains("[mcp_servers.engram]\ncommand = \"/opt/engram/engram\"\nargs = [\"mcp\"]\n", configText, StringComparison.Ordinal);

        // Installing again changes nothing.
        Assert.All(Installer("codex").Install(Options()), r => Assert.False(r.Changed));
        Assert.Equal(hooksText, File.ReadAllText(CodexPaths.UserHooks()));

        Assert.All(Installer("codex").Uninstall("user", _temp.Combine("project")), r => Assert.True(r.Changed));
        Assert.Equal(config, File.ReadAllText(CodexPaths.Config()));
        Assert.Equal(hooks, File.ReadAllText(CodexPaths.UserHooks()));
    }

    [Fact]
    public void Codex_gets_the_native_engram_mcp_when_it_is_beside_engram_and_doctor_says_when_it_is_gone()
    {
        // A folder name TOML must escape, read back by doctor.
        var native = Path.Combine(_temp.CreateDirectory("bin \"quoted\" \\ x"), "engram-mcp");
        File.WriteAllText(native, "");
        Installer("codex").Install(Options() with { NativeMcp = native });
        Assert.Contains($"[mcp_servers.engram]\ncommand = {CodexConfigToml.Quote(native)}\nargs = []\n", File.ReadAllText(CodexPaths.Config()), StringComparison.Ordinal);
        AgentCheck McpCheck() => Installer("codex").Doctor(_temp.Combine("project")).Single(c => c.Name == "codex mcp");
        Assert.True(McpCheck().Ok, McpCheck().Detail);
        File.Delete(native);
        Assert.False(McpCheck().Ok);
        Assert.Contains($"{native} does not exist", McpCheck().Detail, StringComparison.Ordinal);
        Installer("codex").Uninstall("user", _temp.Combine("project"));
        Assert.False(File.Exists(CodexPaths.Config()));
    }

    [Fact]
    public void Codex_files_install_created_are_gone_after_uninstall_and_a_config_without_a_final_newline_comes_back_without_one()
    {
        File.WriteAllText(CodexPaths.Config(), "model = \"o4\"");
        Installer("codex").Install(Options());
        Assert.Contains("model = \"o4\"\n# >>> engram", File.ReadAllText(CodexPaths.Config()), StringComparison.Ordinal);
        Installer("codex").Uninstall("user", _temp.Combine("project"));
        Assert.Equal("model = \"o4\"", File.ReadAllText(CodexPaths.Config()));
        Assert.False(File.Exists(CodexPaths.UserHooks()));
    }

    [Fact]
    public void Codex_hooks_are_trusted_with_the_hashes_codex_reports_and_a_changed_command_is_upgraded_in_place()
    {
        // What `codex app-server` answers to hooks/list: Engram's hooks untrusted, the user's own trusted.
        var asked = 0;
        IReadOnlyList<string>? Run(string executable, IReadOnlyList<string> arguments, IReadOnlyList<string> input, Func<string, bool> isLast, string cwd)
        {
            asked++;
            Assert.Equal(("codex", "app-server"), (executable, arguments.Single()));
            Assert.Contains(input, l => l.Contains("\"hooks/list\"", StringComparison.Ordinal));
            var hooks = JsonDocument.Parse(File.ReadAllText(CodexPaths.UserHooks())).RootElement.GetProperty("hooks").EnumerateObject()
                .Select(e => (Event: e.Name, Command: e.Value[0].GetProperty("hooks")[0].GetProperty("command").GetString()!)).ToList();
            var list = string.Join(",", hooks.Select(h =>
                $$"""{"key":"{{CodexPaths.UserHooks()}}:{{h.Event}}:0:0","command":"{{h.Command}}","currentHash":"sha256:{{h.Command.Length}}{{h.Event}}","trustStatus":"untrusted"}"""));
            string[] lines = ["""{"id":1,"result":{}}""", """{"id":2,"result":{"data":[{"cwd":""" + JsonSerializer.Serialize(cwd) + ""","hooks":[""" + list + "]}]}}"];
            Assert.True(isLast(lines[1]));
            return lines;
        }

        Installer("codex").Install(Options(run: Run));
        Assert.Equal(1, asked);
        var config = File.ReadAllText(CodexPaths.Config());
        foreach (var hookEvent in CodexHookEvent.All)
        {
            Assert.Contains($"[hooks.state.\"{CodexPaths.UserHooks()}:{hookEvent.Name}:0:0\"]\ntrusted_hash = \"sha256:", config, StringComparison.Ordinal);
        }
        Assert.All(Installer("codex").Doctor(_temp.Combine("project"), Run).Where(c => c.Name != "codex hook trust"), c => Assert.True(c.Ok, c.Detail));

        // A new engram path: the hooks are replaced, not duplicated, and trusted again under their new hashes.
        Installer("codex").Install(Options("/usr/local/bin/engram", Run) with { NativeHook = null });
        var upgraded = File.ReadAllText(CodexPaths.UserHooks());
        Assert.DoesNotContain("engram-hook", upgraded, StringComparison.Ordinal);
        Assert.Equal(CodexHookEvent.All.Count, upgraded.Split("/usr/local/bin/engram hook codex ").Length - 1);
        var reconfigured = File.ReadAllText(CodexPaths.Config());
        Assert.Equal(CodexHookEvent.All.Count, reconfigured.Split("trusted_hash").Length - 1);
        Assert.Contains($"sha256:{"/usr/local/bin/engram hook codex stop".Length}Stop", reconfigured, StringComparison.Ordinal);
    }

    [Fact]
    public void Codex_config_with_its_own_engram_server_is_refused_and_left_alone()
    {
        const string config = "[mcp_servers.engram]\ncommand = \"something-else\"\n";
        File.WriteAllText(CodexPaths.Config(), config);
        var error = Assert.Throws<Core.EngramException>(() => Installer("codex").Install(Options()));
        Assert.Contains(CodexPaths.Config(), error.Message, StringComparison.Ordinal);
        Assert.Equal(config, File.ReadAllText(CodexPaths.Config()));
    }

    [Fact]
    public void Gemini_install_puts_hooks_and_mcp_in_settings_json_with_millisecond_timeouts_and_uninstall_restores_it()
    {
        var project = _temp.CreateDirectory("gemini-project");
        var settings = Path.Combine(project, ".gemini", "settings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(settings)!);
        const string original = "{\n  // my settings\n  \"theme\": \"GitHub\",\n  \"mcpServers\": { \"docs\": { \"command\": \"docs-mcp\" } }\n}\n";
        File.WriteAllText(settings, original);
        var options = new InstallOptions("project", project, "engram");

        Assert.True(Assert.Single(Installer("gemini").Install(options)).Changed);
        var installed = File.ReadAllText(settings);
        using (var document = JsonDocument.Parse(installed, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }))
        {
            var root = document.RootElement;
            var afterTool = root.GetProperty("hooks").GetProperty("AfterTool")[0].GetProperty("hooks")[0];
            Assert.Equal("engram hook gemini after-tool", afterTool.GetProperty("command").GetString());
            Assert.Equal(10_000, afterTool.GetProperty("timeout").GetInt32());
            Assert.Equal("engram-after-tool", afterTool.GetProperty("name").GetString());
            Assert.False(root.GetProperty("hooks").TryGetProperty("PreCompress", out _));
            Assert.Equal("mcp", root.GetProperty("mcpServers").GetProperty("engram").GetProperty("args")[0].GetString());
            Assert.Equal("docs-mcp", root.GetProperty("mcpServers").GetProperty("docs").GetProperty("command").GetString());
        }
        Assert.False(Assert.Single(Installer("gemini").Install(options)).Changed);
        Assert.All(Installer("gemini").Doctor(project), c => Assert.True(c.Ok, c.Detail));

        Installer("gemini").Uninstall("project", project);
        Assert.Equal(original, File.ReadAllText(settings));
    }

    [Fact]
    public void Gemini_gets_the_native_engram_mcp_when_it_is_beside_engram_and_uninstall_removes_it()
    {
        var project = _temp.CreateDirectory("gemini-native");
        var settings = Path.Combine(project, ".gemini", "settings.json");
        var native = Path.Combine(_temp.CreateDirectory("gemini-bin"), "engram-mcp");
        File.WriteAllText(native, "");
        Installer("gemini").Install(new InstallOptions("project", project, "engram", NativeMcp: native));
        using (var document = JsonDocument.Parse(File.ReadAllText(settings)))
        {
            var server = document.RootElement.GetProperty("mcpServers").GetProperty("engram");
            Assert.Equal(native, server.GetProperty("command").GetString());
            Assert.Empty(server.GetProperty("args").EnumerateArray());
        }
        Assert.All(Installer("gemini").Doctor(project), c => Assert.True(c.Ok, c.Detail));
        File.Delete(native);
        Assert.Contains(Installer("gemini").Doctor(project), c => c.Name == "gemini cli mcp" && !c.Ok && c.Detail.Contains("does not exist", StringComparison.Ordinal));
        Installer("gemini").Uninstall("project", project);
        Assert.False(File.Exists(settings));
    }

    [Fact]
    public void Gemini_settings_created_by_install_are_removed_by_uninstall()
    {
        var project = _temp.CreateDirectory("fresh");
        var options = new InstallOptions("project", project, "engram");
        Installer("gemini").Install(options);
        Assert.True(File.Exists(Path.Combine(project, ".gemini", "settings.json")));
        Installer("gemini").Uninstall("project", project);
        Assert.False(File.Exists(Path.Combine(project, ".gemini", "settings.json")));
    }
}
