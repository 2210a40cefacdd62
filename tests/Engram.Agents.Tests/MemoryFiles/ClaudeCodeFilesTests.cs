using Engram.Agents.MemoryFiles;

namespace Engram.Agents.Tests.MemoryFiles;

/// <summary>How Claude Code names a project's auto memory folder and reads CLAUDE.md imports (its 2.1.197 rules).</summary>
public sealed class ClaudeCodeFilesTests
{
    [Fact]
    public void A_long_project_path_is_cut_at_200_characters_and_given_the_hash_of_the_whole_path()
    {
        Assert.Equal("-home-dev-shop", AgentMemoryFiles.SanitizedRoot("/home/dev/shop"));
        var path = "/home/dev/" + string.Concat(Enumerable.Repeat("very-long-folder-name/", 10)) + "shop";
        // The expected name was computed with Claude Code's own rule (replace, cut, 32-bit string hash in base 36) in Node.
        Assert.Equal("-home-dev-" + string.Join('-', Enumerable.Repeat("very-long-folder-name", 8)) + "-very-long-fold-p7h1af", AgentMemoryFiles.SanitizedRoot(path));
    }

    [Fact]
    public void Imports_are_at_paths_after_a_space_outside_code_and_comments()
    {
        const string markdown = """
            See @README.md and @./docs/a.md#setup, @~/notes/me.md and @/abs/b.md.
            An email like ana@example.com is no import; nor `@in/code.md`; nor @#heading.
            <!-- @hidden.md -->
            ```
            @fenced.md
            ```
            @my\ notes.md
            """;
        var imports = ClaudeCodeFiles.Imports(markdown, "/repo", "/home/ana").ToList();
        Assert.Equal(["/repo/README.md", "/repo/docs/a.md", "/home/ana/notes/me.md", "/abs/b.md.", "/repo/my notes.md"], imports);
    }
}
