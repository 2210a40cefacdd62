using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace Engram.Cli;

/// <summary>
/// The declared commands as System.CommandLine's tree, and its parse errors put the way Engram reports usage
/// errors: one line that names the problem, with a suggestion when a name looks like a typo.
/// </summary>
internal static class CommandTree
{
    /// <summary>
    /// Parses <paramref name="args"/>. Only the invoked command gets its arguments and options (a completion
    /// request gets them all): every other command is its name and summary, enough for typos and the list.
    /// </summary>
    public static ParseResult Parse(IReadOnlyList<CommandSpec> commands, IReadOnlyList<string> args, Action<TextWriter> overview)
    {
        var completing = args.Count > 0 && args[0].StartsWith("[suggest", StringComparison.Ordinal);
        var root = new RootCommand("engram: a persistent memory layer for AI agents");
        // Only --help and -h (the default's -? and /? would be offered as completions beside them), answered
        // from the declared commands rather than by System.CommandLine's help builder (CommandHelp says why).
        for (var i = root.Options.Count - 1; i >= 0; i--)
        {
            if (root.Options[i] is HelpOption) root.Options.RemoveAt(i);
        }
        root.Options.Add(new HelpOption("--help", ["-h"]) { Action = new CommandHelp(commands, overview) });
        foreach (var command in commands) root.Subcommands.Add(command.Build(completing || (args.Count > 0 && args[0] == command.Name)));
        // No @file expansion: "engram add @alice ..." is text to remember, not a response file.
        return root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
    }

    /// <summary>What is wrong with the command line, or null when the parse can run.</summary>
    public static string? UsageError(ParseResult result, IReadOnlyList<CommandSpec> commands)
    {
        // A completion request carries the line to complete as a token of its own.
        if (result.Tokens is [{ Type: TokenType.Directive }, ..]) return null;
        var command = result.CommandResult.Command;
        if (command is RootCommand)
        {
            if (result.UnmatchedTokens is [var unknown, ..])
            {
                return $"unknown command '{unknown}'{DidYouMean(unknown, commands.Select(c => c.Name))}; run 'engram help' for the list of commands";
            }
            return result.Errors is [var rootError, ..] && result.Action is not CommandHelp ? rootError.Message : null;
        }
        if (result.Action is CommandHelp) return null;
        var spec = CommandHelp.Find(commands, command.Name)!;
        if (StrayOption(result, spec) is { } stray) return UnknownOption(stray, spec, command);
        if (result.UnmatchedTokens is [var extra, ..])
        {
            return LooksLikeOption(extra)
                ? UnknownOption(extra, spec, command)
                : $"too many arguments for 'engram {spec.Name}' (unexpected '{extra}'); quote text that has spaces. Usage: {spec.Usage}";
        }
        if (result.Errors is not [var error, ..]) return null;
        return error.SymbolResult is OptionResult { Tokens.Count: 0 } missing
            ? $"option {missing.Option.Name} needs a value ({missing.Option.HelpName}); usage: {spec.Usage}"
            : $"{error.Message} See: engram {spec.Name} --help";
    }

    private static string UnknownOption(string token, CommandSpec spec, Command command)
    {
        var name = token.Split('=', 2)[0];
        if (name == "--server" && !RemoteMode.Supports(spec.Name)) return RemoteMode.NotSupportedBy(spec.Name);
        var hint = name.StartsWith("--", StringComparison.Ordinal) ? "" : "; options start with --";
        return $"unknown option '{name}' for 'engram {spec.Name}'{DidYouMean(name, command.Options.Select(o => o.Name))}{hint}. See: engram {spec.Name} --help";
    }

    /// <summary>
    /// An unknown option System.CommandLine took as a positional (it fills free argument slots with any
    /// token): a dash word before any "--" that is not "-" (standard input) or a negative number.
    /// </summary>
    private static string? StrayOption(ParseResult result, CommandSpec spec)
    {
        for (var i = 0; i < result.Tokens.Count; i++)
        {
            var token = result.Tokens[i];
            if (token.Type == TokenType.DoubleDash) return null;
            var isValue = i > 0 && result.Tokens[i - 1] is { Type: TokenType.Option } previous
                && spec.Options.Any(o => !o.IsFlag && "--" + o.Name == previous.Value);
            if (token.Type == TokenType.Argument && !isValue && LooksLikeOption(token.Value)) return token.Value;
        }
        return null;
    }

    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && !(char.IsDigit(token[1]) || (token[1] == '.' && token.Length > 2 && char.IsDigit(token[2])));

    /// <summary>" (did you mean 'search'?)" for the declared name closest to a mistyped one, when one is close.</summary>
    internal static string DidYouMean(string typed, IEnumerable<string> names)
    {
        // A plain loop: LINQ over (name, distance) tuples is JIT-compiled on every run (no ReadyToRun code for it).
        string? best = null;
        var bestDistance = Math.Max(2, typed.Length / 3) + 1;
        foreach (var name in names)
        {
            var distance = EditDistance(typed, name);
            if (distance < bestDistance) (best, bestDistance) = (name, distance);
        }
        return best is null ? "" : $" (did you mean '{best}'?)";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
