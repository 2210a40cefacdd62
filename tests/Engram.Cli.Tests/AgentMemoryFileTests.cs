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
        // CLAUDE.md imports other files with @path (relative to the importing file), not inside code; one from outside
        // the project would need the user's approval in Claude Code, so it is not followed.
        Write(Path.Combine(_project, "CLAUDE.md"), """
            # Shop

            ## Build

            - Build with `dotnet build -c Release`
            - Never commit the `appsettings.Local.json` file
            - Conventions: @docs/conventions.md (not `@docs/in-code.md`, nor @/etc/outside.md)
            """);
        Write(Path.Combine(_project, "docs", "conventions.md"), "- Money amounts are integers in cents\n");
        Write(Path.Combine(_project, "docs", "in-code.md"), "- This file is only named inside code\n");
        // Rules: one always loaded, one only for matching files (not a standing memory).
        Write(Path.Combine(_project, ".claude", "rules", "testing.md"), "- Every bug fix comes with a test that failed before it\n");
        Write(Path.Combine(_project, ".claude", "rules", "frontend.md"), "---\npaths:\n  - \"web/**\"\n---\n- Components use the design tokens\n");
        Write(Path.Combine(_home, ".claude", "CLAUDE.md"), "- Prefer British spelling in prose\n");
        // Codex: its memory pipeline consolidates raw memories and rollout summaries into memory_summary.md and MEMORY.md;
        // a user's own notes go to extensions/ad_hoc/notes. Only the consolidated files and the notes are memories.
        var codex = Path.Combine(_home, ".codex", "memories");
        Write(Path.Combine(codex, "memory_summary.md"), "## User preferences\n\n- The payments sandbox resets every Monday at 06:00 UTC\n");
        Write(Path.Combine(codex, "raw_memories.md"), "# Raw Memories\n\n- raw note that the summary already holds\n");
        Write(Path.Combine(codex, "rollout_summaries", "2026-11-30T10-00-00-abcd-sandbox.md"), "- rollout evidence\n");
        Write(Path.Combine(codex, "extensions", "ad_hoc", "notes", "2026-11-30T10-05-00-vpn.md"), "- The VPN must be on to reach the staging database\n");
        Write(Path.Combine(_project, "AGENTS.md"), """
            # Agent instructions

            ## Conventions

            Commit messages say what changed and why.
            """);
        // Gemini CLI: save_memory appends bullets under this heading in ~/.gemini/GEMINI.md.
        Write(Path.Combine(_home, ".gemini", "GEMINI.md"), "## Gemini Added Memories\n- The user's name is Ana\n");
        Write(Path.Combine(_project, "GEMINI.md"), "Answer questions about the shop in English.\nStyle: @./docs/gemini-style.md and not `@./docs/in-code.md` nor @../outside.md\n");
        Write(Path.Combine(_project, "docs", "gemini-style.md"), "- Prices are shown with two decimals\n");
        Write(Path.Combine(_folder.Path, "outside.md"), "- a note outside the project\n");
        // Gemini CLI 0.61: extra context file names from settings, and the project's private memory under the id
        // projects.json gives the project folder.
        Write(Path.Combine(_home, ".gemini", "settings.json"), """{ "context": { "fileName": ["CONTEXT.md"] } }""");
        Write(Path.Combine(_project, "CONTEXT.md"), "- Orders are never deleted, only cancelled\n");
        Write(Path.Combine(_home, ".gemini", "projects.json"), JsonSerializer.Serialize(new { projects = new Dictionary<string, string> { [_project] = "shop" } }));
        Write(Path.Combine(_home, ".gemini", "tmp", "shop", ".project_root"), _project);
        Write(Path.Combine(_home, ".gemini", "tmp", "shop", "memory", "MEMORY.md"), "- My local database listens on port 5433\n- Release steps: [release](release.md)\n");
        Write(Path.Combine(_home, ".gemini", "tmp", "shop", "memory", "release.md"), "- Tag the release before publishing the package\n");
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
        // MEMORY.md, debugging.md, CLAUDE.md, docs/conventions.md, .claude/rules/testing.md, ~/.claude/CLAUDE.md
        Assert.Equal(6, claude.GetProperty("files").GetArrayLength());
        Assert.Equal(10, claude.GetProperty("added").GetInt32());
        var codex = await ImportAsync("codex");
        Assert.Equal(3, codex.GetProperty("added").GetInt32()); // the summary's note, the ad hoc note and the project's AGENTS.md
        var gemini = await ImportAsync("gemini");
        // GEMINI.md, the file it imports and CONTEXT.md of the project, ~/.gemini/GEMINI.md, the private MEMORY.md and the note it links.
        Assert.Equal(6, gemini.GetProperty("files").GetArrayLength());
        Assert.Equal(7, gemini.GetProperty("added").GetInt32());
        var agentsMd = await ImportAsync("agents-md");
        Assert.Equal(0, agentsMd.GetProperty("added").GetInt32());
        Assert.Equal(1, agentsMd.GetProperty("already_present").GetInt32());

        // Everything again, at once: nothing new.
        var again = await ImportAsync("agents");
        Assert.Equal(0, again.GetProperty("added").GetInt32());
        Assert.Equal(20, again.GetProperty("already_present").GetInt32());
        var imported = again.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.DoesNotContain(imported, f => f.Contains("raw_memories", StringComparison.Ordinal) || f.Contains("rollout_summaries", StringComparison.Ordinal)
            || f.EndsWith("in-code.md", StringComparison.Ordinal) || f.EndsWith("frontend.md", StringComparison.Ordinal) || f.EndsWith("outside.md", StringComparison.Ordinal));
        Assert.Contains(imported, f => f.EndsWith("gemini-style.md", StringComparison.Ordinal));

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
