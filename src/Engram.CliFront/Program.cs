using Engram.Cli;
using Engram.Hook;

namespace Engram.CliFront;

/// <summary>
/// <c>engram ARGS</c> as the user types it: a one-shot <c>search</c> or <c>add</c> is sent to the running
/// worker over <c>$ENGRAM_HOME/cli.sock</c> (<see cref="CommandSocket"/>, the protocol the managed client
/// speaks) and its answer printed with its exit code. Everything else, and whatever the worker does not
/// answer (no worker, a stale socket, other settings, a worker gone mid-answer), becomes the managed engram
/// with the same arguments in this same process (<see cref="ManagedExec"/>), so it behaves exactly as before.
/// No worker is started here: the agents' hooks start one, and a script's one-off command should not leave
/// a process behind holding the store.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var raw = ManagedExec.RawArguments(args);
        if (CommandSocket.IsServed(args) && ManagedExec.DecodedExactly(args, raw))
        {
            if (TryWorker(args) is { } exitCode) return exitCode;
            // Asked already: the managed engram runs the command itself rather than wait for the same worker again.
            ManagedExec.SetEnvironment(CommandSocket.AskedVariable, "1");
        }
        return ManagedExec.Run(raw);
    }

    private static int? TryWorker(string[] args)
    {
        string home;
        try
        {
            home = NativeLayout.HomeRoot();
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or NotSupportedException or System.Security.SecurityException)
        {
            return null; // the managed engram reports a bad ENGRAM_HOME in its own words
        }
        return CommandSocket.TryRunInWorker(home, args);
    }
}
