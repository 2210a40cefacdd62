using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engram.Testing.Crashes;

/// <summary>
/// Compiled into every test project (Directory.Build.props). A test process that dies loses its running test's result,
/// and dotnet test then shows only "[FATAL ERROR] Xunit.Sdk.TestPipelineException". When test.sh sets
/// ENGRAM_TEST_CRASH_LOG, the process appends why it is going (an unhandled exception, a terminating signal) to that
/// file, which test.sh prints.
/// </summary>
internal static class TestProcessCrashReport
{
    private static PosixSignalRegistration[]? _signals; // kept alive: a collected registration stops listening

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "must run before any test of the process")]
    internal static void Register()
    {
        var path = Environment.GetEnvironmentVariable("ENGRAM_TEST_CRASH_LOG");
        if (string.IsNullOrEmpty(path)) return;
        AppDomain.CurrentDomain.UnhandledException += (_, e) => Write(path, $"unhandled exception: {e.ExceptionObject}");
        // The signal's default action still follows (the handler does not cancel it).
        _signals = [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(signal => PosixSignalRegistration.Create(signal, context => Write(path, $"got {context.Signal}")))];
    }

    private static void Write(string path, string what)
    {
        try
        {
            File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {Environment.ProcessPath} (pid {Environment.ProcessId}): {what}{Environment.NewLine}");
        }
        catch (IOException)
        {
            // Nowhere left to say it.
        }
        catch (UnauthorizedAccessException)
        {
            // Nowhere left to say it.
        }
    }
}
