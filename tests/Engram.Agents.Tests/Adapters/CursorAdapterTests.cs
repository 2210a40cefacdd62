using System.Text.Json;
using Engram.Agents.Adapters;
using Engram.Agents.Pipeline;

namespace Engram.Agents.Tests.Adapters;

/// <summary>Cursor: payload shapes from its hooks documentation (no Cursor runs here), its hooks.json, its rules file.</summary>
public sealed class CursorAdapterTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly IAgentAdapter _cursor = AgentRegistry.Find("cursor")!;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Payloads_read_into_neutral_events_with_the_conversation_as_session_and_the_first_root_as_folder()
    {
        var prompt = _cursor.Parse("before-submit-prompt", RecordedPayload.Bytes("cursor", "beforeSubmitPrompt.json"));
        Assert.Equal((AgentEventKind.Prompt, "fix hello.txt", "c0ffee00-1111-4222-8333-444455556666", "/home/dev/proj"), (prompt.Kind, prompt.Prompt, prompt.SessionId, prompt.Cwd));

        var shell = _cursor.Parse("after-shell-execution", RecordedPayload.Bytes("cursor", "afterShellExecution.json"));
        Assert.Equal(("Bash", "python -m unittest test_stats"), (shell.Tool!.ToolName, shell.Tool.InputString("command")));
        // No exit code in Cursor's payload: the compressor judges the output, as for any shell call.
        var draft = OfflineCompressor.Compress(shell.Tool, "/home/dev/proj")!;
        Assert.Equal("failed", draft.Metadata["outcome"]);

        var edit = _cursor.Parse("after-file-edit", RecordedPayload.Bytes("cursor", "afterFileEdit.json"));
        Assert.Equal("Edit", edit.Tool!.ToolName);
        Assert.Equal(["stats.py"], OfflineCompressor.Compress(edit.Tool, "/home/dev/proj")!.FilesModified);

        var answer = _cursor.Parse("after-agent-response", RecordedPayload.Bytes("cursor", "afterAgentResponse.json"));
        Assert.Equal(AgentEventKind.AssistantAnswer, answer.Kind);
        Assert.Contains("Next step: add a test", answer.AssistantMessage, StringComparison.Ordinal);
        Assert.Equal("MCP:search", _cursor.Parse("after-mcp-execution", RecordedPayload.Bytes("cursor", "afterMCPExecution.json")).Tool!.ToolName);
        Assert.Equal(AgentEventKind.AssistantAnswer, _cursor.Parse("stop", RecordedPayload.Bytes("cursor", "stop.json")).Kind);
        Assert.NotNull(_cursor.Parse("stop", "not json"u8).ParseError);
    }

    [Fact]
    public void Install_writes_hooks_json_and_mcp_json_and_uninstall_gives_back_every_byte()
    {
        var project = _temp.CreateDirectory("proj");
        var hooks = Path.Combine(project, ".cursor", "hooks.json");
        Directory.CreateDirectory(Path.GetDirectoryName(hooks)!);
        const string original = "{\n  \"version\": 1,\n  \"hooks\": {\n    \"afterFileEdit\": [\n      { \"command\": \"./format.sh\" }\n    ]\n  }\n}\n";
        File.WriteAllText(hooks, original);
        var options = new InstallOptions("project", project, "engram", NativeHook: "/opt/engram/engram-hook");

        _cursor.Installer.Install(options);
        using (var document = JsonDocument.Parse(File.ReadAllText(hooks)))
        {
            var events = document.RootElement.GetProperty("hooks");
            Assert.Equal(["./format.sh", "/opt/engram/engram-hook cursor after-file-edit"], events.GetProperty("afterFileEdit").EnumerateArray().Select(h => h.GetProperty("command").GetString()));
            Assert.Equal("/opt/engram/engram-hook cursor before-submit-prompt", events.GetProperty("beforeSubmitPrompt")[0].GetProperty("command").GetString());
        }
        var mcp = Path.Combine(project, ".cursor", "mcp.json");
        Assert.Contains("\"engram\"", File.ReadAllText(mcp), StringComparison.Ordinal);
        var once = File.ReadAllText(hooks);
        Assert.All(_cursor.Installer.Install(options), r => Assert.False(r.Changed));
        Assert.Equal(once, File.ReadAllText(hooks));
        Assert.All(_cursor.Installer.Doctor(project), c => Assert.True(c.Ok, c.Detail));

        _cursor.Installer.Uninstall("project", project);
        Assert.Equal(original, File.ReadAllText(hooks));
        Assert.False(File.Exists(mcp));
    }

    [Fact]
    public void A_hooks_json_install_created_is_removed_by_uninstall()
    {
        var project = _temp.CreateDirectory("fresh");
        _cursor.Installer.Install(new InstallOptions("project", project, "engram"));
        Assert.StartsWith("{\n  \"version\": 1,\n  \"hooks\": {", File.ReadAllText(Path.Combine(project, ".cursor", "hooks.json")), StringComparison.Ordinal);
        _cursor.Installer.Uninstall("project", project);
        Assert.False(File.Exists(Path.Combine(project, ".cursor", "hooks.json")));
    }

    [Fact]
    public void The_rules_file_is_for_projects_with_a_cursor_folder_and_always_applies()
    {
        var files = (IContextFileAdapter)_cursor;
        var project = _temp.CreateDirectory("rules");
        Assert.Null(files.ContextFile(project));
        Directory.CreateDirectory(Path.Combine(project, ".cursor"));
        Assert.Equal(Path.Combine(project, ".cursor", "rules", "engram-context.mdc"), files.ContextFile(project));
        var text = System.Text.Encoding.UTF8.GetString(files.RenderContextFile("<engram-memory>x</engram-memory>"));
        Assert.StartsWith("---\n", text, StringComparison.Ordinal);
        Assert.Contains("alwaysApply: true", text, StringComparison.Ordinal);
        Assert.EndsWith("<engram-memory>x</engram-memory>\n", text, StringComparison.Ordinal);
    }
}
