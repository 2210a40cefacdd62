using System.CommandLine;

namespace Engram.Cli;

/// <summary>
/// One command's values as System.CommandLine parsed them, read by option name. An option the command does
/// not declare reads as absent, so shared readers (<see cref="Arguments.Filter"/>) work for every command.
/// </summary>
internal sealed class CommandLine
{
    private readonly ParseResult _result;
    private readonly Dictionary<string, Option> _options;

    public CommandLine(CommandSpec command, ParseResult result)
    {
        Command = command;
        _result = result;
        _options = result.CommandResult.Command.Options.ToDictionary(o => o.Name.TrimStart('-'), StringComparer.Ordinal);
        Positionals = [.. result.CommandResult.Command.Arguments
            .Select(a => result.GetResult(a)?.Tokens is [{ } token, ..] ? token.Value : null)
            .OfType<string>()];
    }

    public CommandSpec Command { get; }
    public IReadOnlyList<string> Positionals { get; }

    public bool Json => Has("json");

    // A flag takes no value, so it is set exactly when it has a result. (GetValue<bool> would JIT-compile five
    // generic methods on every run: ReadyToRun has no code for them outside System.CommandLine.)
    public bool Has(string flag) => _options.TryGetValue(flag, out var option) && option is Option<bool> && _result.GetResult(option) is { Implicit: false };

    public string? Value(string option) => Values(option) is [.., var last] ? last : null;

    public IReadOnlyList<string> Values(string option) =>
        _options.TryGetValue(option, out var declared) && declared is Option<string[]> valued ? _result.GetValue(valued) ?? [] : [];

    public string Positional(int index, string name) =>
        index < Positionals.Count ? Positionals[index] : throw new UsageException($"missing {name}; usage: {Command.Usage} (engram {Command.Name} --help lists the options)");
}
