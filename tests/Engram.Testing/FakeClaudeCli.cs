namespace Engram.Testing;

/// <summary>
/// A stand-in for the Claude Code CLI: a <c>claude</c> script in its own folder (put it first on PATH) that
/// records its arguments, stdin and the recursion-guard variable, and prints the next scripted
/// <c>--output-format json</c> result, or fails with exit code 3 when none is left.
/// </summary>
public sealed class FakeClaudeCli : IDisposable
{
    private int _replies;

    public FakeClaudeCli()
    {
        Folder = Directory.CreateTempSubdirectory("fake-claude-").FullName;
        var script = Path.Combine(Folder, "claude");
        File.WriteAllText(script, """
            #!/bin/sh
            dir="$(dirname "$0")"
            n=$(date +%s%N)
            printf '%s\n' "$@" > "$dir/args.$n"
            cat > "$dir/stdin.$n"
            printf '%s' "$ENGRAM_INSIDE_MODEL_CALL" > "$dir/guard.$n"
            next=$(ls "$dir"/reply.* 2>/dev/null | sort | head -n 1)
            if [ -z "$next" ]; then echo "no reply scripted" >&2; exit 3; fi
            cat "$next"
            rm "$next"
            """.Replace("\r", "", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Folder { get; }

    /// <summary>PATH with this folder first.</summary>
    public string Path_ => Folder + System.IO.Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");

    /// <summary>Scripts the next answer: the model's text and the tokens it reports.</summary>
    public void Reply(string text, int inputTokens = 100, int outputTokens = 20)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(text);
        File.WriteAllText(Path.Combine(Folder, $"reply.{++_replies:D4}"),
            "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":" + json
            + ",\"session_id\":\"fake\",\"usage\":{\"input_tokens\":" + inputTokens + ",\"output_tokens\":" + outputTokens + "}}");
    }

    public IReadOnlyList<string[]> Arguments => Recorded("args").Select(text => text.Split('\n')[..^1]).ToList();

    public IReadOnlyList<string> Stdins => Recorded("stdin");

    public IReadOnlyList<string> Guards => Recorded("guard");

    private List<string> Recorded(string prefix) =>
        Directory.EnumerateFiles(Folder, prefix + ".*").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
