namespace Engram.Cli;

/// <summary>
/// <c>engram completion bash|zsh</c>: a shell script that completes engram's commands, options and their
/// known values by asking engram itself through System.CommandLine's <c>[suggest:POSITION]</c> directive,
/// so it never goes stale and needs no dotnet-suggest tool.
/// </summary>
internal static class CompletionCommand
{
    public static CommandSpec Spec() =>
        new("completion", "print a shell script that completes engram's commands and options (bash, or zsh through bashcompinit)", RunAsync)
        {
            Arguments = [new("SHELL", "bash or zsh") { Candidates = () => ["bash", "zsh"] }],
            Details = () => "bash: add  source <(engram completion bash)  to ~/.bashrc\n" +
                "zsh:  add  source <(engram completion zsh)  to ~/.zshrc",
        };

    private static Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var shell = line.Positional(0, "SHELL");
        Output.Out.Write(shell switch
        {
            "bash" => BashScript,
            // zsh runs the same function through its bash-completion layer.
            "zsh" => "autoload -U +X bashcompinit && bashcompinit\n" + BashScript,
            _ => throw new UsageException($"no completion script for '{shell}'; use bash or zsh"),
        });
        return Task.FromResult(0);
    }

    // The line up to the cursor, without the program's own name, goes to '[suggest:N]'; bash's own file-name
    // completion (-o default) takes over where engram has no candidates (FILE arguments, --output).
    private const string BashScript = """
        # engram shell completion (from: engram completion bash)
        _engram_complete() {
            local line="${COMP_LINE:0:COMP_POINT}"
            line="${line#"${line%%[![:space:]]*}"}"
            [[ "$line" == *[[:space:]]* ]] || return 0
            line="${line#*[[:space:]]}"
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _engram_complete engram

        """;
}
