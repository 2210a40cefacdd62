using System.Text;
using System.Text.Json;
using Engram.Agents.ClaudeCode;
using Engram.Core;

namespace Engram.Agents.Tests.ClaudeCode;

public sealed class ClaudeCodeSettingsInstallerTests : IDisposable
{
    private const string Exe = "/opt/engram/engram";
    private readonly TempDirectory _temp = new();
    private readonly ClaudeCodeSettingsInstaller _installer = new(Exe);

    public void Dispose() => _temp.Dispose();

    private string WriteSettings(string content, string name = "settings.json")
    {
        var path = _temp.Combine(".claude", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private static JsonElement Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.Clone();
    }

    private static List<JsonElement> EngramHooks(JsonElement root, string eventName) =>
        root.GetProperty("hooks").GetProperty(eventName).EnumerateArray()
            .SelectMany(g => g.GetProperty("hooks").EnumerateArray())
            .Where(h => h.GetProperty("command").GetString()!.Contains(" hook claude-code ", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public void Creates_the_file_and_folder_with_every_hook()
    {
        var path = ClaudeCodePaths.ProjectSettings(_temp.Combine("project"));

        var result = _installer.Install(path);

        Assert.True(result.Changed);
        Assert.Null(result.BackupPath);
        var root = Load(path);
        // Capture-only events run in the background; SessionStart prints the context and SessionEnd is cut short by exit.
        var expected = new (string Event, string? Matcher, string Command, int Timeout, bool Async)[]
        {
            ("SessionStart", "startup|resume|clear|compact", "session-start", 15, false),
            ("UserPromptSubmit", null, "user-prompt-submit", 10, true),
            ("PostToolUse", "*", "post-tool-use", 10, true),
            ("PostToolUseFailure", "*", "post-tool-use-failure", 10, true),
            ("Stop", null, "stop", 15, true),
            ("SubagentStop", null, "subagent-stop", 15, true),
            ("SessionEnd", null, "session-end", 5, false),
            ("PreCompact", null, "pre-compact", 30, true),
        };
        Assert.Equal(expected.Select(e => e.Event), root.GetProperty("hooks").EnumerateObject().Select(p => p.Name));
        foreach (var (eventName, matcher, command, timeout, background) in expected)
        {
            var group = Assert.Single(root.GetProperty("hooks").GetProperty(eventName).EnumerateArray());
            Assert.Equal(matcher, group.TryGetProperty("matcher", out var m) ? m.GetString() : null);
            var hook = Assert.Single(group.GetProperty("hooks").EnumerateArray());
            Assert.Equal("command", hook.GetProperty("type").GetString());
            Assert.Equal($"{Exe} hook claude-code {command}", hook.GetProperty("command").GetString());
            Assert.Equal(timeout, hook.GetProperty("timeout").GetInt32());
            Assert.Equal(background, hook.TryGetProperty("async", out var a) && a.GetBoolean());
        }
        Assert.StartsWith("{\n  \"hooks\": {\n    \"SessionStart\": [\n      {\n        \"matcher\": ", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(ClaudeCodeHookEvent.All.Select(e => e.Name), ClaudeCodeSettingsInstaller.InstalledEvents(path));
    }

    [Fact]
    public void Installing_twice_is_installing_once()
    {
        var path = WriteSettings(SettingsSamples.WithUserHooks);
        _installer.Install(path);
        var once = File.ReadAllBytes(path);
        File.Delete(path + ".engram-backup");

        var second = _installer.Install(path);

        Assert.False(second.Changed);
        Assert.Equal(once, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".engram-backup"));
        foreach (var hookEvent in ClaudeCodeHookEvent.All) Assert.Single(EngramHooks(Load(path), hookEvent.Name));
    }

    [Fact]
    public void Keeps_other_settings_and_the_users_own_hooks_on_the_same_events()
    {
        var path = WriteSettings(SettingsSamples.WithUserHooks);
        var before = Load(path);

        _installer.Install(path);

        var after = Load(path);
        foreach (var property in before.EnumerateObject().Where(p => p.Name != "hooks"))
        {
            Assert.True(JsonElement.DeepEquals(property.Value, after.GetProperty(property.Name)), property.Name);
        }
        var postToolUse = after.GetProperty("hooks").GetProperty("PostToolUse").EnumerateArray().ToList();
        Assert.Equal(2, postToolUse.Count);
        Assert.True(JsonElement.DeepEquals(before.GetProperty("hooks").GetProperty("PostToolUse")[0], postToolUse[0]));
        Assert.Equal("*", postToolUse[1].GetProperty("matcher").GetString());
        Assert.True(JsonElement.DeepEquals(before.GetProperty("hooks").GetProperty("Notification"), after.GetProperty("hooks").GetProperty("Notification")));

        // Untouched parts keep their exact text.
        var text = File.ReadAllText(path);
        Assert.Contains("  \"permissions\": {\n    \"allow\": [\n      \"Bash(npm run lint)\",\n      \"Read(~/.zshrc)\"\n    ],\n    \"deny\": []\n  },", text, StringComparison.Ordinal);
        Assert.Contains("\"UNICODE\": \"café ✓ \\u00e9\"", text, StringComparison.Ordinal);
        Assert.EndsWith("  \"model\": \"opus\",\n  \"includeCoAuthoredBy\": false\n}", text, StringComparison.Ordinal);
    }

    public static TheoryData<string> RoundTripFiles => new()
    {
        SettingsSamples.WithUserHooks,
        SettingsSamples.WithoutHooks,
        "{}",
        "{\n  \"model\": \"opus\"\n}\n",
        "{\n  \"hooks\": {\n    \"Notification\": []\n  }\n}",
        SettingsSamples.FourSpacesCrlf,
        SettingsSamples.CompactOneLine,
        SettingsSamples.WithCommentsAndTrailingCommas,
    };

    [Theory]
    [MemberData(nameof(RoundTripFiles))]
    public void Install_then_uninstall_gives_back_the_same_bytes(string content)
    {
        var path = WriteSettings(content);
        var original = File.ReadAllBytes(path);

        Assert.True(_installer.Install(path).Changed);
        Assert.NotEqual(original, File.ReadAllBytes(path));
        foreach (var hookEvent in ClaudeCodeHookEvent.All) Assert.Single(EngramHooks(Load(path), hookEvent.Name));
        Assert.True(ClaudeCodeSettingsInstaller.Uninstall(path).Changed);

        Assert.Equal(Encoding.UTF8.GetString(original), File.ReadAllText(path));
        Assert.Equal(original, File.ReadAllBytes(path));
    }

    [Fact]
    public void Follows_the_files_indentation_and_line_endings()
    {
        var path = WriteSettings(SettingsSamples.FourSpacesCrlf);

        _installer.Install(path);

        var text = File.ReadAllText(path);
        Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("\r\n        \"Stop\": [\r\n            {\r\n                \"hooks\": [\r\n                    {\r\n                        \"type\": \"command\",\r\n                        \"command\": \"say done\"", text, StringComparison.Ordinal);
        Assert.Contains("            },\r\n            {\r\n                \"hooks\": [\r\n                    {\r\n                        \"type\": \"command\",\r\n                        \"command\": \"/opt/engram/engram hook claude-code stop\",\r\n                        \"timeout\": 15,\r\n                        \"async\": true\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Uninstall_removes_only_engram_entries_and_keeps_a_group_the_user_added_to()
    {
        var path = WriteSettings(SettingsSamples.WithoutHooks);
        _installer.Install(path);
        // The user adds their own hook inside Engram's Stop group.
        var text = File.ReadAllText(path).Replace(
            "\"command\": \"/opt/engram/engram hook claude-code stop\",\n            \"timeout\": 15,\n            \"async\": true\n          }",
            "\"command\": \"/opt/engram/engram hook claude-code stop\",\n            \"timeout\": 15,\n            \"async\": true\n          },\n          {\n            \"type\": \"command\",\n            \"command\": \"say done\"\n          }",
            StringComparison.Ordinal);
        File.WriteAllText(path, text);

        ClaudeCodeSettingsInstaller.Uninstall(path);

        var root = Load(path);
        var hooks = root.GetProperty("hooks");
        Assert.Equal(["Stop"], hooks.EnumerateObject().Select(p => p.Name));
        var hook = Assert.Single(Assert.Single(hooks.GetProperty("Stop").EnumerateArray()).GetProperty("hooks").EnumerateArray());
        Assert.Equal("say done", hook.GetProperty("command").GetString());
        Assert.Equal("sonnet", root.GetProperty("model").GetString());
        Assert.Empty(ClaudeCodeSettingsInstaller.InstalledEvents(path));
    }

    [Fact]
    public void Uninstall_leaves_a_group_that_was_already_empty()
    {
        const string userGroup = "    \"PostToolUse\": [\n      {\n        \"matcher\": \"*\",\n        \"hooks\": []\n      }\n    ]";
        var path = WriteSettings("{\n  \"hooks\": {\n" + userGroup + ",\n    \"Stop\": []\n  }\n}");

        _installer.Install(path);
        ClaudeCodeSettingsInstaller.Uninstall(path);

        // The user's empty group survives. An event list that was already empty held only Engram's
        // group after install, so uninstall cannot tell it from one Engram created and removes it:
        // "Stop": [] and no "Stop" mean the same to Claude Code.
        Assert.Equal("{\n  \"hooks\": {\n" + userGroup + "\n  }\n}", File.ReadAllText(path));
    }

    [Fact]
    public void An_outdated_engram_entry_is_replaced_not_duplicated()
    {
        var path = WriteSettings(SettingsSamples.WithUserHooks);
        new ClaudeCodeSettingsInstaller("/old/place/engram").Install(path);

        var result = _installer.Install(path);

        Assert.True(result.Changed);
        var root = Load(path);
        foreach (var hookEvent in ClaudeCodeHookEvent.All)
        {
            var hook = Assert.Single(EngramHooks(root, hookEvent.Name));
            Assert.StartsWith(Exe + " ", hook.GetProperty("command").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(2, root.GetProperty("hooks").GetProperty("PostToolUse").GetArrayLength());
    }

    [Fact]
    public void An_install_from_before_PostToolUseFailure_gains_it_in_place()
    {
        var path = WriteSettings(SettingsSamples.WithUserHooks);
        _installer.Install(path);
        // What the previous version wrote: every hook but PostToolUseFailure.
        var old = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        old["hooks"]!.AsObject().Remove("PostToolUseFailure");
        File.WriteAllText(path, old.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var result = _installer.Install(path);

        Assert.True(result.Changed);
        var root = Load(path);
        Assert.Single(EngramHooks(root, "PostToolUseFailure"));
        foreach (var hookEvent in ClaudeCodeHookEvent.All) Assert.Single(EngramHooks(root, hookEvent.Name));
        Assert.Equal(2, root.GetProperty("hooks").GetProperty("PostToolUse").GetArrayLength());
    }

    [Fact]
    public void Writes_a_backup_of_the_previous_content_before_changing()
    {
        var path = WriteSettings(SettingsSamples.WithUserHooks);
        var original = File.ReadAllBytes(path);

        var result = _installer.Install(path);

        Assert.Equal(path + ".engram-backup", result.BackupPath);
        Assert.Equal(original, File.ReadAllBytes(result.BackupPath!));
        Assert.Equal(["settings.json", "settings.json.engram-backup"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("{\n  \"model\": \"opus\",\n  \"hooks\": {\n    \"Stop\": [\n  }\n}\n", 5)]
    [InlineData("{\n  \"model\": 'opus'\n}", 2)]
    [InlineData("{\n  \"a\": 1\n}\n}", 4)]
    [InlineData("[1, 2", 1)]
    public void Refuses_a_file_that_is_not_valid_json_and_never_overwrites_it(string content, int line)
    {
        var path = WriteSettings(content);

        var error = Assert.Throws<EngramException>(() => _installer.Install(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains($"line {line}", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
        Assert.False(File.Exists(path + ".engram-backup"));
        Assert.Throws<EngramException>(() => ClaudeCodeSettingsInstaller.Uninstall(path));
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"hooks\": []}")]
    [InlineData("{\"hooks\": {\"Stop\": {\"command\": \"x\"}}}")]
    public void Refuses_settings_of_the_wrong_shape(string content)
    {
        var path = WriteSettings(content);

        var error = Assert.Throws<EngramException>(() => _installer.Install(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Fact]
    public void Uninstall_of_a_missing_file_changes_nothing()
    {
        var path = _temp.Combine("nothing", "settings.json");
        Assert.False(ClaudeCodeSettingsInstaller.Uninstall(path).Changed);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void An_empty_file_is_treated_as_empty_settings()
    {
        var path = WriteSettings("");
        _installer.Install(path);
        Assert.Equal(ClaudeCodeHookEvent.All.Count, Load(path).GetProperty("hooks").EnumerateObject().Count());
    }

    [Fact]
    public void Keeps_a_byte_order_mark_and_the_file_mode()
    {
        var path = WriteSettings("{\n  \"model\": \"opus\"\n}\n");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetPreamble(), .. File.ReadAllBytes(path)]);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var original = File.ReadAllBytes(path);

        _installer.Install(path);

        Assert.Equal(Encoding.UTF8.GetPreamble(), File.ReadAllBytes(path)[..3]);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        ClaudeCodeSettingsInstaller.Uninstall(path);
        Assert.Equal(original, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_symlinked_settings_file_stays_a_symlink()
    {
        var real = _temp.Combine("dotfiles", "claude-settings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(real)!);
        File.WriteAllText(real, SettingsSamples.WithoutHooks);
        var link = _temp.Combine(".claude", "settings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, real);

        _installer.Install(link);

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal(ClaudeCodeHookEvent.All.Count, Load(real).GetProperty("hooks").EnumerateObject().Count());
    }

    [Fact]
    public void A_path_with_spaces_is_quoted_for_the_shell()
    {
        var installer = new ClaudeCodeSettingsInstaller("/home/me/My Tools/engram");
        Assert.Equal("\"/home/me/My Tools/engram\" hook claude-code stop", installer.CommandFor(ClaudeCodeHookEvent.Stop));
        Assert.Equal("engram hook claude-code post-tool-use", new ClaudeCodeSettingsInstaller("engram").CommandFor(ClaudeCodeHookEvent.PostToolUse));
        Assert.Equal("\"/a/$HOME\\\"x\" hook claude-code stop", new ClaudeCodeSettingsInstaller("/a/$HOME\"x").CommandFor(ClaudeCodeHookEvent.Stop).Replace("\\$", "$", StringComparison.Ordinal));

        var path = WriteSettings("{}");
        installer.Install(path);
        Assert.False(installer.Install(path).Changed);
        Assert.Equal("\"/home/me/My Tools/engram\" hook claude-code stop", Assert.Single(EngramHooks(Load(path), "Stop")).GetProperty("command").GetString());
    }

    [Fact]
    public void Paths_follow_claude_code_conventions()
    {
        Assert.Equal(Path.Combine("/home/me", ".claude", "settings.json"), ClaudeCodePaths.UserSettings("/home/me"));
        Assert.Equal(Path.Combine("/home/me", ".claude.json"), ClaudeCodePaths.UserState("/home/me"));
        Assert.Equal(Path.Combine("/work/shop", ".claude", "settings.json"), ClaudeCodePaths.ProjectSettings("/work/shop"));
    }

    [Theory]
    [InlineData("post-tool-use", "PostToolUse")]
    [InlineData("SessionStart", "SessionStart")]
    [InlineData("PRE-COMPACT", "PreCompact")]
    public void Events_are_found_by_either_name(string name, string expected)
    {
        Assert.Equal(expected, ClaudeCodeHookEvent.Find(name)?.Name);
        Assert.Null(ClaudeCodeHookEvent.Find("PreToolUse"));
    }
}
