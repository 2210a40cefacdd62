using System.CommandLine;

namespace Engram.Cli;

/// <summary>
/// What one command accepts and what it runs: the single declaration System.CommandLine parses against,
/// generates help from and completes from. Every positional is optional to the parser so that the command
/// itself says which one is missing (<see cref="CommandLine.Positional"/>).
/// </summary>
internal sealed record CommandSpec(string Name, string Summary, Func<CommandLine, CancellationToken, Task<int>> Run)
{
    public IReadOnlyList<ArgumentSpec> Arguments { get; init; } = [];
    public IReadOnlyList<OptionSpec> Options { get; init; } = [];

    /// <summary>
    /// Longer explanation shown under the summary in the command's help; computed only then (install's names
    /// the agents, and making the adapters cost every run a few ms).
    /// </summary>
    public Func<string>? Details { get; init; }

    /// <summary>"engram add TEXT [options]": the short form error messages quote.</summary>
    public string Usage => string.Join(' ', ["engram", Name, .. Arguments.Select(a => a.Name), .. Options.Count > 0 ? ["[options]"] : Array.Empty<string>()]);

    /// <summary>
    /// The System.CommandLine command. Without <paramref name="withSymbols"/> only its name and summary (enough
    /// to list it and to suggest it for a typo): a run builds the options of the one command it invokes.
    /// </summary>
    public Command Build(bool withSymbols)
    {
        var command = new Command(Name, Summary);
        if (!withSymbols) return command;
        foreach (var argument in Arguments) command.Arguments.Add(argument.Build());
        foreach (var option in Options) command.Options.Add(option.Build());
        command.SetAction((result, cancellationToken) =>
        {
            var line = new CommandLine(this, result);
            RemoteMode.Select(line);
            return Run(line, cancellationToken);
        });
        return command;
    }
}

/// <summary>A positional argument: its name in usage lines and help, and completion candidates if it has a fixed set.</summary>
internal sealed record ArgumentSpec(string Name, string Description)
{
    /// <summary>Computed only when completing, so declaring them costs a run nothing.</summary>
    public Func<IEnumerable<string>>? Candidates { get; init; }

    public Argument<string> Build()
    {
        var argument = new Argument<string>(Name) { Description = Description, Arity = ArgumentArity.ZeroOrOne };
        if (Candidates is { } candidates) argument.CompletionSources.Add(_ => candidates());
        return argument;
    }
}

/// <summary>
/// An option: a flag when it has no <see cref="ValueName"/>, else it takes one value per use. Values stay text
/// here; <see cref="Arguments"/> converts them with errors that name the option and the accepted range.
/// </summary>
internal sealed record OptionSpec(string Name, string Description, string? ValueName = null)
{
    /// <summary>Computed only when completing, so declaring them costs a run nothing.</summary>
    public Func<IEnumerable<string>>? Candidates { get; init; }

    public static OptionSpec Flag(string name, string description) => new(name, description);

    public bool IsFlag => ValueName is null;

    public Option Build()
    {
        if (IsFlag) return new Option<bool>("--" + Name) { Description = Description, Arity = ArgumentArity.Zero };
        // Every valued option may repeat: repeatable ones (--kind, --meta) collect, the others keep the last value.
        var option = new Option<string[]>("--" + Name)
        {
            Description = Description,
            HelpName = ValueName,
            AllowMultipleArgumentsPerToken = false,
        };
        if (Candidates is { } candidates) option.CompletionSources.Add(_ => candidates());
        return option;
    }
}
