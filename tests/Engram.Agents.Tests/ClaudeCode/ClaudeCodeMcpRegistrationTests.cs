using System.Text.Json;
using Engram.Agents.Adapters;
using Engram.Agents.ClaudeCode;
using Engram.Core;

namespace Engram.Agents.Tests.ClaudeCode;

public sealed class McpServersFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly McpServersFile _registration = new("/usr/local/bin/engram");

    public void Dispose() => _temp.Dispose();

    // The shape of ~/.claude.json: Claude Code's own state, with per-project MCP servers of its own.
    private const string ClaudeJson = """
        {
          "numStartups": 42,
          "installMethod": "native",
          "autoUpdates": false,
          "tipsHistory": {
            "new-user-warmup": 7,
            "memory-command": 12
          },
          "userID": "0f4c9e1b2a",
          "projects": {
            "/home/me/shop-api": {
              "allowedTools": [],
              "history": [
                {
                  "display": "fix the failing test",
                  "pastedContents": {}
                }
              ],
              "mcpServers": {},
              "hasTrustDialogAccepted": true
            }
          },
          "firstStartTime": "2025-06-01T10:00:00.000Z"
        }
        """;

    private string Write(string content)
    {
        var path = _temp.Combine(".claude.json");
        File.WriteAllText(path, content);
        return path;
    }

    private static JsonElement Servers(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("mcpServers").Clone();
    }

    [Fact]
    public void Registers_at_the_top_level_and_round_trips_to_the_same_bytes()
    {
        var path = Write(ClaudeJson);

        var result = _registration.Register(path);

        Assert.True(result.Changed);
        var engram = Servers(path).GetProperty("engram");
        Assert.Equal("/usr/local/bin/engram", engram.GetProperty("command").GetString());
        Assert.Equal(["mcp"], engram.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.True(McpServersFile.IsRegistered(path));
        Assert.Contains("      \"mcpServers\": {},\n", File.ReadAllText(path), StringComparison.Ordinal); // the project's own entry is untouched

        Assert.True(McpServersFile.Unregister(path).Changed);
        Assert.Equal(ClaudeJson, File.ReadAllText(path));
        Assert.False(McpServersFile.IsRegistered(path));
    }

    [Fact]
    public void Is_idempotent()
    {
        var path = Write(ClaudeJson);
        _registration.Register(path);
        var once = File.ReadAllBytes(path);

        Assert.False(_registration.Register(path).Changed);
        Assert.Equal(once, File.ReadAllBytes(path));
    }

    [Fact]
    public void Keeps_the_users_other_servers()
    {
        const string content = """
            {
              "mcpServers": {
                "github": {
                  "type": "stdio",
                  "command": "npx",
                  "args": ["-y", "@modelcontextprotocol/server-github"],
                  "env": {}
                }
              }
            }
            """;
        var path = Write(content);

        _registration.Register(path);
        Assert.Equal(["github", "engram"], Servers(path).EnumerateObject().Select(p => p.Name));

        McpServersFile.Unregister(path);
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Fact]
    public void Updates_an_entry_that_points_at_another_executable()
    {
        var path = Write(ClaudeJson);
        new McpServersFile("/old/engram").Register(path);

        Assert.True(_registration.Register(path).Changed);

        Assert.Equal("/usr/local/bin/engram", Servers(path).GetProperty("engram").GetProperty("command").GetString());
        Assert.Single(Servers(path).EnumerateObject());
    }

    [Fact]
    public void Registers_an_engram_serve_endpoint_switches_to_a_command_and_back_and_unregisters_it()
    {
        var path = Write(ClaudeJson);
        var served = McpServersFile.Http("http://127.0.0.1:37777/");

        Assert.True(served.Register(path).Changed);
        var entry = Servers(path).GetProperty("engram");
        Assert.Equal("http", entry.GetProperty("type").GetString());
        Assert.Equal("http://127.0.0.1:37777/mcp", entry.GetProperty("url").GetString());
        Assert.False(entry.TryGetProperty("command", out _));
        Assert.Equal("http://127.0.0.1:37777/mcp", McpServersFile.RegisteredCommand(path));
        Assert.False(served.Register(path).Changed);
        Assert.True(McpServersFile.Http("http://127.0.0.1:40000").Register(path).Changed); // another port replaces it

        Assert.True(_registration.Register(path).Changed);
        Assert.Equal("/usr/local/bin/engram", McpServersFile.RegisteredCommand(path));
        Assert.True(served.Register(path).Changed);
        Assert.True(McpServersFile.Unregister(path).Changed);
        Assert.False(McpServersFile.IsRegistered(path));
    }

    [Fact]
    public void Another_http_server_called_engram_is_left_alone()
    {
        var path = Write("""{"mcpServers": {"engram": {"type": "http", "url": "https://engram.example.com/api"}}}""");
        Assert.False(McpServersFile.IsRegistered(path));
        Assert.False(McpServersFile.Unregister(path).Changed);
        Assert.Contains("engram.example.com", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Registers_the_native_front_end_without_arguments_switches_back_and_unregisters_it()
    {
        var path = Write(ClaudeJson);
        var native = new McpServersFile("/usr/local/bin/engram", "/opt/engram/engram-mcp");

        Assert.True(native.Register(path).Changed);
        var entry = Servers(path).GetProperty("engram");
        Assert.Equal("/opt/engram/engram-mcp", entry.GetProperty("command").GetString());
        Assert.Empty(entry.GetProperty("args").EnumerateArray());
        Assert.Equal("/opt/engram/engram-mcp", McpServersFile.RegisteredCommand(path));
        Assert.False(native.Register(path).Changed);

        // Back to 'engram mcp' (a --managed-hook install) replaces it in place.
        Assert.True(_registration.Register(path).Changed);
        Assert.Equal("mcp", Servers(path).GetProperty("engram").GetProperty("args")[0].GetString());

        native.Register(path);
        Assert.True(McpServersFile.Unregister(path).Changed);
        Assert.Equal(ClaudeJson, File.ReadAllText(path));
    }

    [Fact]
    public void Engram_run_as_dotnet_with_its_dll_is_registered_as_a_command_and_an_argument_list()
    {
        var path = Write(ClaudeJson);
        var options = new InstallOptions("user", _temp.Path, "/usr/share/dotnet/dotnet") { EngramArguments = ["/opt/my tools/engram.dll"] };

        Assert.True(McpServersFile.For(options, native: true).Register(path).Changed);
        var entry = Servers(path).GetProperty("engram");
        // An agent starts "command" as one executable: "dotnet /path/engram.dll" in it would not start.
        Assert.Equal("/usr/share/dotnet/dotnet", entry.GetProperty("command").GetString());
        Assert.Equal(["/opt/my tools/engram.dll", "mcp"], entry.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("/usr/share/dotnet/dotnet \"/opt/my tools/engram.dll\" hook claude-code Stop", options.HookCommand("claude-code", "Stop"));
        Assert.True(McpServersFile.IsRegistered(path));

        Assert.True(McpServersFile.Unregister(path).Changed);
        Assert.Equal(ClaudeJson, File.ReadAllText(path));
    }

    [Fact]
    public void Leaves_a_different_server_called_engram_alone_on_unregister()
    {
        const string content = "{\n  \"mcpServers\": {\n    \"engram\": {\n      \"command\": \"python\",\n      \"args\": [\"my_engram.py\"]\n    }\n  }\n}";
        var path = Write(content);

        Assert.False(McpServersFile.Unregister(path).Changed);
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Fact]
    public void Creates_a_missing_file()
    {
        var path = _temp.Combine("home", ".claude.json");

        _registration.Register(path);

        Assert.Equal("{\n  \"mcpServers\": {\n    \"engram\": {\n      \"command\": \"/usr/local/bin/engram\",\n      \"args\": [\n        \"mcp\"\n      ]\n    }\n  }\n}", File.ReadAllText(path));
    }

    [Fact]
    public void Refuses_invalid_json_naming_the_file_and_line()
    {
        const string content = "{\n  \"numStartups\": 42,\n  \"projects\": {\n}";
        var path = Write(content);

        var error = Assert.Throws<EngramException>(() => _registration.Register(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
    }
}
