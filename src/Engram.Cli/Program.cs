using System.CommandLine;
using System.Reflection;
using System.Text;
using Engram.Core;

namespace Engram.Cli;

/// <summary>
/// engram's entry point. Exit codes: 0 success, 1 runtime error, 2 usage error; errors are one line
/// on stderr, never a stack trace (set ENGRAM_DEBUG=1 to see one).
/// </summary>
public static class Program
{
    private static readonly CommandSpec[] Commands =
    [
        .. MemoryCommands.All(), .. TransferCommands.All(), MigrateCommand.Spec(), .. AgentCommands.All(), .. InstallCommands.All(),
        .. ServerCommands.All(), .. EvalCommands.All(), CompletionCommand.Spec(),
    ];

    /// <summary>Every command engram declares (hook aside, which runs before any of this).</summary>
    internal static IReadOnlyList<CommandSpec> Declared => Commands;

    public static async Task<int> Main(string[] args)
    {
        // The capture hook runs on every tool call: it skips everything else, including this setup.
        if (args.Length > 0 && args[0] == "hook") return await HookCommand.RunAsync(args);
        // search and add go to the running worker when there is one: it has the store open and the model loaded.
        if (CommandSocket.IsServed(args) && CommandSocket.TryRunInWorker(Hosting.EngramHome.Resolve().Root, args) is { } served) return served;
        Console.OutputEncoding = new UTF8Encoding(false);
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await RunAsync(args, cancel.Token);
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        try
        {
            if (args.Length == 0)
            {
                // Bare 'engram' is a usage error: the overview goes to stderr so scripts see nothing on stdout.
                PrintOverview(Output.Error);
                return 2;
            }
            switch (args[0])
            {
                case "--version" or "version":
                    Output.Line(Version);
                    return 0;
                case "help" or "--help" or "-h" when args.Length == 1:
                    PrintOverview(Output.Out);
                    return 0;
                case "help":
                    // 'engram help X' is 'engram X --help'.
                    args = [args[1], "--help"];
                    break;
            }
            var parsed = CommandTree.Parse(Commands, args, PrintOverview);
            if (CommandTree.UsageError(parsed, Commands) is { } usageError) throw new UsageException(usageError);
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = Output.Out,
                Error = Output.Error,
                // Errors are reported below, as one line; Ctrl+C is handled in Main (the worker runs commands too).
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, cancellationToken);
        }
        catch (UsageException ex)
        {
            Output.Error.WriteLine($"engram: {ex.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Output.Error.WriteLine("engram: cancelled");
            return 1;
        }
        catch (EngramException ex)
        {
            Output.Error.WriteLine($"engram: {ex.Message}");
            Debug(ex);
            return 1;
        }
        catch (System.Data.Common.DbException ex)
        {
            // A store error that was not translated where it happened: still a message, never a trace.
            Output.Error.WriteLine($"engram: the store failed: {ex.Message}");
            Debug(ex);
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Output.Error.WriteLine($"engram: {IoErrors.DescribeWithPath(ex)}");
            Debug(ex);
            return 1;
        }
        catch (Exception ex)
        {
            Output.Error.WriteLine($"engram: unexpected error: {ex.GetType().Name}: {ex.Message} (set ENGRAM_DEBUG=1 for details)");
            Debug(ex);
            return 1;
        }
    }

    private static void PrintOverview(TextWriter writer)
    {
        writer.WriteLine($"engram {Version}: a persistent memory layer for AI agents");
        writer.WriteLine();
        writer.WriteLine("usage: engram COMMAND [ARGS] [--json]");
        writer.WriteLine();
        foreach (var command in Commands) writer.WriteLine($"  {command.Name,-9} {command.Summary}");
        writer.WriteLine("  hook      called by an agent's hooks: engram hook AGENT EVENT, with the event JSON on stdin (always exits 0)");
        writer.WriteLine();
        writer.WriteLine("Data lives in $ENGRAM_HOME (default ~/.engram). 'engram COMMAND --help' shows a command's options;");
        writer.WriteLine("'engram completion bash' prints a script that completes commands and options in the shell.");
        writer.WriteLine("add, search, get, list, update, delete, history and reset take --server URL to use a running engram serve (API key in ENGRAM_API_KEY).");
    }

    private static string Version =>
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static void Debug(Exception ex)
    {
        if (Environment.GetEnvironmentVariable("ENGRAM_DEBUG") is "1" or "true") Output.Error.WriteLine(ex.ToString());
    }
}
