using System.Security.Cryptography;
using System.Text.Json;
using Engram.Agents.MemoryFiles;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// <c>engram import --from ...</c> on memory files of our own making in each agent's format, under a HOME of
/// their own; <c>engram export --format markdown</c> on what came in.
/// </summary>
public sealed class AgentMemoryFileTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _home;
    private readonly string _project;
    private readonly EngramProcess _engram;

    public AgentMemoryFileTests()
    {
        _home = Directory.CreateDirectory(_folder.File("user")).FullName;
        _project = Directory.CreateDirectory(_folder.File("shop")).FullName;
        _engram = new EngramProcess(_folder.File("engram-home"));
        _engram.Environment["HOME"] = _home;
        _engram.Environment["USERPROFILE"] = _home;

        // Claude Code auto memory: an index of short notes that links topic files in the same folder.
        var memory = Path.Combine(_home, ".claude", "projects", AgentMemoryFiles.SanitizedRoot(_project), "memory");
        Write(Path.Combine(memory, "MEMORY.md"), """
            # Project memory

            - Use pnpm, not npm, in this repository
            - Integration tests need `docker compose up db` first
            - Flaky tests: see [debugging notes](debugging.md)
            """);
        Write(Path.Combine(memory, "debugging.md"), """
            ---
            name: debugging
            description: flaky test notes
            ---
            # Debugging

            - The checkout test fails when TZ is not UTC; run it with TZ=UTC
            """);
        Write(Path.Combine(_project, "CLAUDE.md"), """
            # Shop

            ## Build

            - Build with `dotnet build -c Release`
            - Never commit the `appsettings.Local.json` file
            """);
        Write(Path.Combine(_home, ".claude", "CLAUDE.md"), "- Prefer British spelling in prose\n");
        // Codex: memory notes under ~/.codex/memories, instructions in AGENTS.md (user and project).
        Write(Path.Combine(_home, ".codex", "memories", "sandbox.md"), "- The payments sandbox resets every Monday at 06:00 UTC\n");
        Write(Path.Combine(_project, "AGENTS.md"), """
            # Agent instructions

            ## Conventions

            Commit messages say what changed and why.
            """);
        // Gemini CLI: save_memory appends bullets under this heading in ~/.gemini/GEMINI.md.
        Write(Path.Combine(_home, ".gemini", "GEMINI.md"), "## Gemini Added Memories\n- The user's name is Ana\n");
        Write(Path.Combine(_project, "GEMINI.md"), "Answer questions about the shop in English.\n");
    }

    public void Dispose() => _folder.Dispose();

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private async Task<JsonElement> ImportAsync(string from)
    {
        var result = await _engram.RunWithInputAsync(null, "import", "--from", from, "--cwd", _project, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    [Fact]
    public async Task Each_agents_files_are_imported_once_and_left_untouched()
    {
        var before = Directory.EnumerateFiles(_folder.Path, "*.md", SearchOption.AllDirectories).ToDictionary(f => f, f => SHA256.HashData(File.ReadAllBytes(f)));

        var claude = await ImportAsync("claude-code");
        Assert.Equal(4, claude.GetProperty("files").GetArrayLength()); // MEMORY.md, debugging.md, CLAUDE.md, ~/.claude/CLAUDE.md
        Assert.Equal(7, claude.GetProperty("added").GetInt32());
        var codex = await ImportAsync("codex");
        Assert.Equal(2, codex.GetProperty("added").GetInt32()); // the memories note and the project's AGENTS.md
        var gemini = await ImportAsync("gemini");
        Assert.Equal(2, gemini.GetProperty("added").GetInt32());
        var agentsMd = await ImportAsync("agents-md");
        Assert.Equal(0, agentsMd.GetProperty("added").GetInt32());
        Assert.Equal(1, agentsMd.GetProperty("already_present").GetInt32());

        // Everything again, at once: nothing new.
        var again = await ImportAsync("agents");
        Assert.Equal(0, again.GetProperty("added").GetInt32());
        Assert.Equal(11, again.GetProperty("already_present").GetInt32());

        foreach (var (path, hash) in before) Assert.Equal(hash, SHA256.HashData(File.ReadAllBytes(path)));

        var found = await _engram.RunWithInputAsync(null, "search", "TZ UTC checkout test", "--json");
        Assert.Contains("run it with TZ=UTC", found.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_markdown_export_holds_the_projects_standing_memories_and_reads_back_as_the_same_items()
    {
        await ImportAsync("agents");
        var added = await _engram.RunWithInputAsync(null, "add", "Refunds over 1000 euros need a manager's approval", "--project",
            Agents.ProjectIdentity.Resolve(_project).Key, "--expires", "30d");
        Assert.True(added.ExitCode == 0, added.Stderr);

        var output = _folder.File("ENGRAM.md");
        var export = await _engram.RunWithInputAsync(null, "export", "--format", "markdown", "--cwd", _project, "--output", output);
        Assert.True(export.ExitCode == 0, export.Stderr);
        var markdown = File.ReadAllText(output);
        Assert.StartsWith("# Engram memories: ", markdown, StringComparison.Ordinal);
        Assert.Contains("Use pnpm, not npm, in this repository", markdown, StringComparison.Ordinal);
        Assert.Contains("Refunds over 1000 euros need a manager's approval (until ", markdown, StringComparison.Ordinal);
        // User-wide notes belong to no project: they are not this project's standing memories.
        Assert.DoesNotContain("British spelling", markdown, StringComparison.Ordinal);

        // An agent without Engram reads it as the same list of items.
        var items = MarkdownMemory.Items(markdown).Select(i => i.Text).ToList();
        Assert.Contains(items, i => i.Contains("Use pnpm, not npm, in this repository", StringComparison.Ordinal));

        var bad = await _engram.RunWithInputAsync(null, "export", "--format", "yaml");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--format 'yaml'", bad.Stderr, StringComparison.Ordinal);
    }
}
