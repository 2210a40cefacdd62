namespace Engram.Cli;

/// <summary>One command's arguments after parsing: positionals, valued options (repeatable) and flags.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public required CommandSpec Command { get; init; }
    public List<string> Positionals { get; } = [];

    public bool Json => Has("json");

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Value(string option) => _values.TryGetValue(option, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string option) => _values.TryGetValue(option, out var list) ? list : [];

    public string Positional(int index, string name) =>
        index < Positionals.Count ? Positionals[index] : throw new UsageException($"missing {name}; usage: {Command.Usage}");

    /// <summary>Parses the arguments that follow the command name against its spec.</summary>
    public static CommandLine Parse(CommandSpec spec, IReadOnlyList<string> args)
    {
        var line = new CommandLine { Command = spec };
        var onlyPositionals = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (onlyPositionals || arg == "-" || !arg.StartsWith('-') || IsNegativeNumber(arg))
            {
                line.Positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                onlyPositionals = true;
                continue;
            }
            if (arg is "-h" or "--help")
            {
                line._flags.Add("help");
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"unknown option '{arg}' for 'engram {spec.Name}'; options start with --. See: engram {spec.Name} --help");
            }
            var name = arg[2..];
            string? inlineValue = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inlineValue = name[(eq + 1)..];
                name = name[..eq];
            }
            if (spec.Flags.Contains(name))
            {
                if (inlineValue is not null) throw new UsageException($"option --{name} takes no value");
                line._flags.Add(name);
            }
            else if (spec.Options.Contains(name))
            {
                var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"option --{name} needs a value; usage: {spec.Usage}"));
                if (!line._values.TryGetValue(name, out var list)) line._values[name] = list = [];
                list.Add(value);
            }
            else
            {
                throw new UsageException($"unknown option '--{name}' for 'engram {spec.Name}'. See: engram {spec.Name} --help");
            }
        }
        if (!line.Has("help") && line.Positionals.Count > spec.MaxPositionals)
        {
            throw new UsageException($"too many arguments for 'engram {spec.Name}' (unexpected '{line.Positionals[spec.MaxPositionals]}'); quote text that has spaces. Usage: {spec.Usage}");
        }
        return line;
    }

    private static bool IsNegativeNumber(string arg) => arg.Length > 1 && arg[0] == '-' && char.IsDigit(arg[1]);
}

/// <summary>What a command accepts, for parsing and help.</summary>
internal sealed record CommandSpec(
    string Name,
    string Usage,
    string Summary,
    string[] Options,
    string[] Flags,
    int MaxPositionals,
    Func<CommandLine, CancellationToken, Task<int>> Run)
{
    public string? Details { get; init; }
}
