using System.Diagnostics;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>Help, typo suggestions, usage errors and shell completion of the System.CommandLine front, through real processes.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;

    public CommandLineTests() => _engram = new EngramProcess(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Search_help_lists_all_and_the_options_that_were_missing()
    {
        var search = await _engram.RunAsync("search", "--help");
        Assert.Equal(0, search.ExitCode);
        Assert.Contains("--all", search.Stdout, StringComparison.Ordinal);
        Assert.Contains("include superseded memories", search.Stdout, StringComparison.Ordinal);
        Assert.Contains("--server <URL>", search.Stdout, StringComparison.Ordinal);
        Assert.Equal(search.Stdout, (await _engram.RunAsync("help", "search")).Stdout);

        var add = await _engram.RunAsync("help", "add");
        Assert.Equal(0, add.ExitCode);
        Assert.Contains("--actor <NAME>", add.Stdout, StringComparison.Ordinal);
        Assert.Contains("recorded in the history", add.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_declared_option_appears_in_its_commands_help_with_its_description()
    {
        foreach (var command in Program.Declared)
        {
            var output = new StringWriter();
            Output.CaptureInThisFlow(output, output);
            Assert.Equal(0, await Program.RunAsync([command.Name, "--help"], CancellationToken.None));
            var help = output.ToString();
            foreach (var option in command.Options)
            {
                Assert.True(help.Contains("--" + option.Name, StringComparison.Ordinal), $"engram {command.Name} --help lacks --{option.Name}:\n{help}");
                Assert.True(help.Contains(option.Description[..Math.Min(30, option.Description.Length)], StringComparison.Ordinal),
                    $"engram {command.Name} --help lacks the description of --{option.Name}:\n{help}");
            }
            foreach (var argument in command.Arguments) Assert.Contains(argument.Name, help, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("serch|x", "unknown command 'serch'", "did you mean 'search'?")]
    [InlineData("search|x|--limt|5", "unknown option '--limt' for 'engram search'", "did you mean '--limit'?")]
    [InlineData("list|--projet|p", "unknown option '--projet' for 'engram list'", "did you mean '--project'?")]
    public async Task A_typo_gets_a_suggestion_and_exit_2(string joined, string problem, string suggestion)
    {
        var result = await _engram.RunAsync(joined.Split('|'));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(problem, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(suggestion, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("list|--bogus", "unknown option '--bogus' for 'engram list'")]
    // Before the query: System.CommandLine would take it as the query.
    [InlineData("search|--bogus|hello", "unknown option '--bogus' for 'engram search'")]
    [InlineData("get|-x|01M7Y79X6024XSW49RZK41A4J0", "unknown option '-x' for 'engram get'; options start with --")]
    [InlineData("search|x|--limit", "option --limit needs a value (N)")]
    [InlineData("search|x|--limit|zero", "--limit 'zero' must be a whole number from 1 to 1000")]
    [InlineData("add|two|words", "too many arguments for 'engram add' (unexpected 'words')")]
    [InlineData("add", "missing TEXT; usage: engram add TEXT [options]")]
    [InlineData("stats|--server|http://127.0.0.1:9", "--server works with add, search")]
    [InlineData("help|nosuch", "unknown command 'nosuch'")]
    public async Task Usage_errors_name_the_problem_and_exit_2(string joined, string message)
    {
        var result = await _engram.RunAsync(joined.Split('|'));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("engram: ", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Dashes_after_double_dash_and_negative_numbers_are_text()
    {
        var add = await _engram.RunAsync("add", "--", "--not-an-option is the flag name");
        Assert.Equal(0, add.ExitCode);
        var list = await _engram.RunAsync("list");
        Assert.Contains("--not-an-option is the flag name", list.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await _engram.RunAsync("add", "-40 degrees is the same in both scales")).ExitCode);
    }

    [Fact]
    public async Task The_suggest_directive_completes_commands_options_and_values()
    {
        // System.CommandLine offers every name containing the word; the shell keeps those that start with it.
        var commands = await SuggestAsync("se");
        Assert.Contains("search", commands);
        Assert.Contains("serve", commands);
        Assert.DoesNotContain("list", commands);
        var options = await SuggestAsync("search --a");
        Assert.Contains("--all", options);
        Assert.Contains("--agent", options);
        Assert.DoesNotContain("--user", options);
        Assert.Contains("observation", await SuggestAsync("search x --kind "));
        Assert.Equal(["claude-code"], await SuggestAsync("install --agent claude-c"));
    }

    [Fact]
    public async Task The_bash_completion_script_completes_through_engram()
    {
        var script = await _engram.RunAsync("completion", "bash");
        Assert.Equal(0, script.ExitCode);
        var scriptPath = _folder.File("engram-completion.bash");
        await File.WriteAllTextAsync(scriptPath, script.Stdout, TestContext.Current.CancellationToken);

        Assert.Equal(["--explain"], await CompleteInBashAsync(scriptPath, "engram search x --ex"));
        Assert.Equal(["search", "serve"], await CompleteInBashAsync(scriptPath, "engram se"));
        Assert.Equal(["history"], await CompleteInBashAsync(scriptPath, "engram hist"));
        var benchmarks = await CompleteInBashAsync(scriptPath, "engram eval ");
        Assert.Contains("locomo", benchmarks);
        Assert.Contains("recall", benchmarks);
        Assert.Equal(["markdown"], await CompleteInBashAsync(scriptPath, "engram export --format m"));
    }

    private async Task<string[]> SuggestAsync(string line)
    {
        var result = await _engram.RunAsync($"[suggest:{line.Length}]", line);
        Assert.Equal(0, result.ExitCode);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Runs the completion function in a real bash the way bash does on Tab, with the cursor at the end of <paramref name="line"/>.</summary>
    private async Task<string[]> CompleteInBashAsync(string scriptPath, string line)
    {
        var engram = Path.Combine(AppContext.BaseDirectory, "engram");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("""
            source "$1"
            COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
            read -r -a COMP_WORDS <<< "$2"
            [[ "$2" == *" " ]] && COMP_WORDS+=("")
            COMP_WORDS[0]="$3"; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            _engram_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """);
        start.ArgumentList.Add("completion-test");
        start.ArgumentList.Add(scriptPath);
        start.ArgumentList.Add(line);
        start.ArgumentList.Add(engram);
        start.Environment["ENGRAM_HOME"] = _engram.Home;
        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, $"bash exited {bash.ExitCode}: {error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
