using System.CommandLine;
using System.CommandLine.Invocation;

namespace Engram.Cli;

/// <summary>
/// <c>engram COMMAND --help</c>, written from the command's <see cref="CommandSpec"/> in System.CommandLine's
/// layout. Why not its HelpBuilder: its LINQ over value tuples cannot be ReadyToRun-compiled outside the
/// framework, so every help request JIT-compiled some 70 methods, about 30 ms (docs/benchmarks.md).
/// </summary>
internal sealed class CommandHelp(IReadOnlyList<CommandSpec> commands, Action<TextWriter> overview) : SynchronousCommandLineAction
{
    private const string HelpFlags = "-h, --help";

    public override int Invoke(ParseResult parseResult)
    {
        var writer = parseResult.InvocationConfiguration.Output;
        var name = parseResult.CommandResult.Command is RootCommand ? null : parseResult.CommandResult.Command.Name;
        var spec = name is null ? null : Find(commands, name);
        if (spec is null) overview(writer);
        else Write(spec, writer);
        return 0;
    }

    public static void Write(CommandSpec spec, TextWriter writer)
    {
        writer.WriteLine("Description:");
        WriteIndented(writer, spec.Details is null ? spec.Summary : $"{spec.Summary}.\n\n{spec.Details()}");
        writer.WriteLine();
        writer.WriteLine("Usage:");
        var arguments = string.Concat(spec.Arguments.Select(a => $" [<{a.Name}>]"));
        writer.WriteLine($"  engram {spec.Name}{arguments} [options]");
        if (spec.Arguments.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Arguments:");
            // An argument with a fixed set of values shows the set, as System.CommandLine did: <bash|zsh>.
            WriteRows(writer, [.. spec.Arguments.Select(a => new Row($"<{(a.Candidates is { } values ? string.Join('|', values()) : a.Name)}>", a.Description))]);
        }
        writer.WriteLine();
        writer.WriteLine("Options:");
        var options = spec.Options.Select(o => new Row(o.IsFlag ? $"--{o.Name}" : $"--{o.Name} <{o.ValueName}>", o.Description));
        WriteRows(writer, [.. options, new Row(HelpFlags, "Show help and usage information")]);
        writer.WriteLine();
    }

    /// <summary>The declared command called <paramref name="name"/>, or null.</summary>
    public static CommandSpec? Find(IReadOnlyList<CommandSpec> commands, string name)
    {
        foreach (var command in commands)
        {
            if (command.Name == name) return command;
        }
        return null;
    }

    private static void WriteIndented(TextWriter writer, string text)
    {
        foreach (var line in text.Split('\n')) writer.WriteLine(line.Length == 0 ? "" : "  " + line);
    }

    /// <summary>Two columns, the second starting two spaces after the widest first one.</summary>
    private static void WriteRows(TextWriter writer, List<Row> rows)
    {
        var width = 0;
        foreach (var row in rows) width = Math.Max(width, row.Left.Length);
        foreach (var row in rows) writer.WriteLine($"  {row.Left.PadRight(width)}  {row.Right}");
    }

    /// <summary>A class, not a value tuple: generic code over reference types is precompiled, over tuples it is JIT-compiled.</summary>
    private sealed record Row(string Left, string Right);
}
