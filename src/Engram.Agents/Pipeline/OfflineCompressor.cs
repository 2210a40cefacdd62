using System.Text.Json;
using System.Text.RegularExpressions;

namespace Engram.Agents.Pipeline;

/// <summary>
/// Distils one tool call into an observation without any model: an edit becomes "modified X: what
/// changed", a failing command keeps its command line and key error line, a passing build or test
/// says so. Reads, searches and bookkeeping tools yield nothing on their own (their files feed the
/// session summary). Deterministic: the same event always gives the same observation.
/// </summary>
public static partial class OfflineCompressor
{
    private const int LineWidth = 160;

    public static ObservationDraft? Compress(ToolEvent tool, string? projectRoot)
    {
        return tool.ToolName switch
        {
            "Edit" or "MultiEdit" => Edit(tool, projectRoot),
            "Write" => Write(tool, projectRoot),
            "NotebookEdit" => Notebook(tool, projectRoot),
            "Bash" => Bash(tool),
            _ => null,
        };
    }

    /// <summary>The file a tool call read or searched, when it has one (for summaries).</summary>
    public static string? FileRead(ToolEvent tool, string? projectRoot) => tool.ToolName switch
    {
        "Read" => Relative(tool.InputString("file_path"), projectRoot),
        "NotebookRead" => Relative(tool.InputString("notebook_path"), projectRoot),
        "Grep" => tool.InputString("path") is { } path ? Relative(path, projectRoot) : null,
        _ => null,
    };

    /// <summary>The file a tool call changed, when it has one.</summary>
    public static string? FileModified(ToolEvent tool, string? projectRoot) => tool.ToolName switch
    {
        "Edit" or "MultiEdit" or "Write" => Relative(tool.InputString("file_path"), projectRoot),
        "NotebookEdit" => Relative(tool.InputString("notebook_path"), projectRoot),
        _ => null,
    };

    private static ObservationDraft? Edit(ToolEvent tool, string? root)
    {
        var file = Relative(tool.InputString("file_path"), root);
        if (file is null) return null;
        var changes = new List<(string Old, string New)>();
        if (tool.Input.ValueKind == JsonValueKind.Object && tool.Input.TryGetProperty("edits", out var edits) && edits.ValueKind == JsonValueKind.Array)
        {
            foreach (var edit in edits.EnumerateArray())
            {
                changes.Add((Str(edit, "old_string"), Str(edit, "new_string")));
            }
        }
        else
        {
            changes.Add((tool.InputString("old_string") ?? "", tool.InputString("new_string") ?? ""));
        }
        var descriptions = changes.Select(c => DescribeChange(c.Old, c.New)).Where(d => d.Length > 0).Distinct().Take(4).ToList();
        var what = descriptions.Count == 0 ? "edited" : descriptions[0];
        var identifiers = changes.SelectMany(c => NewIdentifiers(c.Old, c.New)).Distinct().Take(6).ToList();
        return new ObservationDraft
        {
            Type = "change",
            Title = $"modified {file}: {Cut(what, 100)}",
            Narrative = $"Edited {file}" + (changes.Count > 1 ? $" ({changes.Count} edits)" : "") + ": " + string.Join("; ", descriptions.DefaultIfEmpty(what)) + ".",
            Facts = descriptions,
            Concepts = identifiers,
            FilesModified = [file],
        };
    }

    private static ObservationDraft? Write(ToolEvent tool, string? root)
    {
        var file = Relative(tool.InputString("file_path"), root);
        if (file is null) return null;
        var content = tool.InputString("content") ?? "";
        var lines = content.Split('\n');
        var created = tool.ResponseString("type") == "create";
        var gist = lines.Select(l => l.Trim()).FirstOrDefault(IsMeaningfulLine);
        var verb = created ? "created" : "wrote";
        return new ObservationDraft
        {
            Type = created ? "feature" : "change",
            Title = $"{verb} {file} ({lines.Length} lines)",
            Narrative = $"{(created ? "Created" : "Rewrote")} {file}, {lines.Length} lines" + (gist is null ? "." : $", starting with: {Cut(gist, LineWidth)}"),
            Concepts = NewIdentifiers("", content).Take(6).ToList(),
            FilesModified = [file],
        };
    }

    private static ObservationDraft? Notebook(ToolEvent tool, string? root)
    {
        var file = Relative(tool.InputString("notebook_path"), root);
        if (file is null) return null;
        var source = tool.InputString("new_source") ?? "";
        return new ObservationDraft
        {
            Type = "change",
            Title = $"modified notebook {file}",
            Narrative = $"Edited a cell of {file}: {Cut(FirstLine(source), LineWidth)}",
            FilesModified = [file],
        };
    }

    private static ObservationDraft? Bash(ToolEvent tool)
    {
        var command = (tool.InputString("command") ?? "").Trim();
        if (command.Length == 0) return null;
        var stdout = tool.ResponseString("stdout") ?? (tool.Response.ValueKind == JsonValueKind.String ? tool.ResponseText() : "");
        var stderr = tool.ResponseString("stderr") ?? "";
        var interrupted = tool.ResponseString("interrupted") == "true";
        var exitCode = ExitCode(tool.Error ?? "") ?? ExitCode(stdout) ?? ExitCode(stderr);
        var errorLine = KeyErrorLine(tool.Error) ?? KeyErrorLine(stderr) ?? KeyErrorLine(stdout);
        var failed = tool.Error is not null || interrupted || exitCode is > 0
            || StrongFailure().IsMatch(stdout) || StrongFailure().IsMatch(stderr)
            || (errorLine is not null && string.IsNullOrWhiteSpace(stdout) && !string.IsNullOrWhiteSpace(stderr));
        if (failed) errorLine = StrongFailureLine(tool.Error) ?? StrongFailureLine(stderr) ?? StrongFailureLine(stdout) ?? errorLine;
        var shown = Cut(OneLine(command), 120);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["command"] = Cut(OneLine(command), 500) };

        if (failed)
        {
            metadata["outcome"] = "failed";
            if (exitCode is { } code) metadata["exit_code"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var error = errorLine ?? Cut(FirstLine(tool.Error ?? stderr), LineWidth);
            return new ObservationDraft
            {
                Type = "failure",
                Title = $"command failed: {shown}",
                Narrative = $"Ran `{shown}`" + (exitCode is { } c ? $", exit code {c}" : interrupted ? ", interrupted" : "") + (error.Length > 0 ? $": {error}" : "."),
                Facts = error.Length > 0 ? [error] : [],
                Concepts = CommandWords(command),
                Metadata = metadata,
                Importance = 0.6,
            };
        }

        if (IsTrivial(command)) return null;
        metadata["outcome"] = "passed";
        var verify = IsVerification(command);
        var result = ResultLine(stdout) ?? ResultLine(stderr);
        return new ObservationDraft
        {
            Type = verify ? "discovery" : "change",
            Title = verify ? $"passed: {shown}" : $"ran {shown}",
            Narrative = $"Ran `{shown}`" + (result is null ? " successfully." : $": {result}"),
            Facts = result is null ? [] : [result],
            Concepts = CommandWords(command),
            Metadata = metadata,
        };
    }

    /// <summary>"replaced `a` with `b`" from the first line that differs, or what was inserted or removed.</summary>
    internal static string DescribeChange(string oldText, string newText)
    {
        var oldLines = oldText.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var newLines = newText.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var removed = oldLines.Except(newLines, StringComparer.Ordinal).ToList();
        var added = newLines.Except(oldLines, StringComparer.Ordinal).ToList();
        if (removed.Count == 0 && added.Count == 0) return oldText == newText ? "" : "changed white space";
        if (removed.Count == 0) return $"added `{Cut(added[0], 80)}`" + More(added.Count);
        if (added.Count == 0) return $"removed `{Cut(removed[0], 80)}`" + More(removed.Count);
        return $"replaced `{Cut(removed[0], 70)}` with `{Cut(added[0], 70)}`" + More(Math.Max(added.Count, removed.Count));
    }

    private static string More(int lines) => lines > 1 ? $" (+{lines - 1} more lines)" : "";

    /// <summary>Identifiers (CamelCase, snake_case, 4+ characters) that the new text has and the old one had not.</summary>
    private static IEnumerable<string> NewIdentifiers(string oldText, string newText)
    {
        var old = Identifier().Matches(oldText).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        return Identifier().Matches(newText).Select(m => m.Value)
            .Where(w => !old.Contains(w) && (w.Any(char.IsUpper) && w.Any(char.IsLower) || w.Contains('_', StringComparison.Ordinal)) && !CommonWords.Contains(w))
            .Distinct(StringComparer.Ordinal);
    }

    private static readonly HashSet<string> CommonWords = new(StringComparer.Ordinal) { "String", "Task", "List", "Console", "Math", "This", "True", "False", "None", "Exception" };

    private static List<string> CommandWords(string command)
    {
        var words = OneLine(command).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Take(3).Where(w => !w.StartsWith('-') && w.Length > 1 && !w.Contains('/', StringComparison.Ordinal)).ToList();
    }

    internal static string? KeyErrorLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || NoErrors().IsMatch(line)) continue;
            if (ErrorWord().IsMatch(line)) return Cut(line, LineWidth);
        }
        return null;
    }

    private static string? StrongFailureLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        // Prefer the line that names the problem (an exception with its message, a compiler error) over a
        // header ("Traceback ...", "Build FAILED.") or a bare "1 failed" tally.
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !NoErrors().IsMatch(l)).ToList();
        var best = lines.FirstOrDefault(l => SpecificError().IsMatch(l))
            ?? lines.FirstOrDefault(l => StrongFailure().IsMatch(l) && !Tally().IsMatch(l) && !l.StartsWith("Traceback", StringComparison.Ordinal))
            ?? lines.FirstOrDefault(l => StrongFailure().IsMatch(l));
        return best is null ? null : Cut(best, LineWidth);
    }

    private static string? ResultLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var summary = lines.LastOrDefault(l => ResultWord().IsMatch(l));
        return summary is null ? null : Cut(summary, LineWidth);
    }

    private static int? ExitCode(string text)
    {
        var match = ExitCodePattern().Match(text);
        return match.Success && int.TryParse(match.Groups[1].Value, out var code) ? code : null;
    }

    private static bool IsTrivial(string command)
    {
        var first = OneLine(command).Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts ? parts : [""];
        var name = Path.GetFileName(first[0]);
        if (name == "git" && first.Length > 1) return first[1] is "status" or "log" or "diff" or "show" or "branch" or "remote" or "rev-parse" or "blame" or "ls-files";
        return name is "ls" or "cd" or "pwd" or "cat" or "head" or "tail" or "echo" or "which" or "wc" or "find" or "grep" or "rg"
            or "tree" or "mkdir" or "touch" or "sleep" or "true" or "type" or "file" or "stat" or "du" or "df" or "env" or "date" or "whoami" or "less" or "more" or "sed" or "awk";
    }

    private static bool IsVerification(string command) => VerifyWord().IsMatch(command);

    private static bool IsMeaningfulLine(string line) =>
        line.Length > 3 && !line.StartsWith("using ", StringComparison.Ordinal) && !line.StartsWith("import ", StringComparison.Ordinal)
        && !line.StartsWith("//", StringComparison.Ordinal) && !line.StartsWith('#') && line is not ("{" or "}" or "---");

    internal static string? Relative(string? path, string? root)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        if (root is { Length: > 0 } && Path.IsPathRooted(path))
        {
            var relative = Path.GetRelativePath(root, path);
            if (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative)) return relative.Replace('\\', '/');
        }
        return path.Replace('\\', '/');
    }

    private static string Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    private static string FirstLine(string text) => text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    internal static string Cut(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");

    [GeneratedRegex(@"\b([A-Za-z_][A-Za-z0-9_]{3,})\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\b(error|errors|failed|failure|exception|traceback|fatal|panic|cannot|can't|not found|denied|refused|segmentation fault|undefined reference|no such file)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorWord();

    [GeneratedRegex(@"\b0 (errors?|failed|failures)\b|\bno errors?\b|\berror(s)?: 0\b|\bfailed: 0\b", RegexOptions.IgnoreCase)]
    private static partial Regex NoErrors();

    [GeneratedRegex(@"\b(passed|passing|succeeded|success|ok|built|done|finished|\d+ tests?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ResultWord();

    /// <summary>Output that means the command failed even when no exit code was reported.</summary>
    [GeneratedRegex(@"(^|\s)(FAILED|FAIL)\b|\b[1-9]\d* (failed|failing|errors?)\b|^Traceback \(most recent|^\s*error(\[\w+\])?:|npm ERR!|Build FAILED|^fatal:|panicked at|Exception in thread|command not found|No such file or directory|\w+(Error|Exception)( \[\w+\])?: ", RegexOptions.Multiline)]
    private static partial Regex StrongFailure();

    /// <summary>A line that states what went wrong: "KeyError: 'id'", "error CS1002: ; expected", "error[E0308]: ...", "fatal: ...".</summary>
    [GeneratedRegex(@"\b[A-Z]\w*(Error|Exception)\b( \[\w+\])?: |\b[Ee]rror( [A-Z]+\d+|\[\w+\])?: |^fatal: |npm ERR! (?!code)")]
    private static partial Regex SpecificError();

    [GeneratedRegex(@"^\W*\d+ (passed|failed)|^=+ .* =+$|^\d+ failed", RegexOptions.IgnoreCase)]
    private static partial Regex Tally();

    [GeneratedRegex(@"[Ee]xit (?:code|status)[: ]+(\d+)")]
    private static partial Regex ExitCodePattern();

    [GeneratedRegex(@"\b(test|tests|pytest|jest|vitest|mocha|rspec|build|make|cargo|dotnet|go (test|build|vet)|mvn|gradle|tsc|lint|eslint|ruff|mypy|clippy|check)\b")]
    private static partial Regex VerifyWord();
}
