using Engram.Agents.MemoryFiles;

namespace Engram.Agents.Tests.MemoryFiles;

/// <summary>How Gemini CLI 0.61's import processor finds a context file's <c>@path</c> imports.</summary>
public sealed class GeminiFilesTests
{
    [Fact]
    public void Imports_are_at_paths_after_white_space_outside_backtick_code()
    {
        const string markdown = """
            @./a.md first, then @docs/b.md, @../up.md and @/abs/c.md
            An email like ana@example.com is no import; nor `@in/code.md`; nor ``@two `ticks`.md``; nor @~/home.md, @#x or @https://x.test/y.md.
            ```
            @fenced.md
            ```
            @last.md
            """;
        var imports = GeminiFiles.Imports(markdown, "/repo/sub").ToList();
        Assert.Equal(["/repo/sub/a.md", "/repo/sub/docs/b.md,", "/repo/up.md", "/abs/c.md", "/repo/sub/last.md"], imports);
    }
}
