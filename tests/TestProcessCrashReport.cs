using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit.v3;

[assembly: Engram.Testing.Crashes.RunningTestsRecorded]

namespace Engram.Testing.Crashes;

/// <summary>
/// Compiled into every test project (Directory.Build.props). A test process that dies loses its running tests' results,
/// and dotnet test then shows only "[FATAL ERROR] Xunit.Sdk.TestPipelineException". When test.sh sets
/// ENGRAM_TEST_CRASH_LOG, the process appends why it is going (an unhandled exception, a terminating signal) to that
/// file, and keeps the tests it is running in FILE.running.PID, removed when it exits normally: what a SIGKILL leaves
/// names the tests it cut short. test.sh prints both.
/// </summary>
internal static class TestProcessCrashReport
{
    private static readonly string? LogPath = Environment.GetEnvironmentVariable("ENGRAM_TEST_CRASH_LOG") is { Length: > 0 } path ? path : null;
    private static readonly Lock Gate = new();
    private static readonly HashSet<string> Running = new(StringComparer.Ordinal);
    private static PosixSignalRegistration[]? _signals; // kept alive: a collected registration stops listening

    private static string RunningPath => $"{LogPath}.running.{Environment.ProcessId}";

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "must run before any test of the process")]
    internal static void Register()
    {
        if (LogPath is null) return;
        AppDomain.CurrentDomain.UnhandledException += (_, e) => Write($"unhandled exception: {e.ExceptionObject}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Try(() => File.Delete(RunningPath));
        // The signal's default action still follows (the handler does not cancel it).
        _signals = [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(signal => PosixSignalRegistration.Create(signal, context => Write($"got {context.Signal}")))];
    }

    internal static void Started(string test) => Change(() => Running.Add(test));

    internal static void Ended(string test) => Change(() => Running.Remove(test));

    private static void Change(Func<bool> change)
    {
        if (LogPath is null) return;
        lock (Gate)
        {
            if (!change()) return;
            var now = string.Join(Environment.NewLine, Running.Order(StringComparer.Ordinal).Prepend($"{Environment.ProcessPath} (pid {Environment.ProcessId}) was running:"));
            Try(() => File.WriteAllText(RunningPath, now + Environment.NewLine));
        }
    }

    private static void Write(string what)
    {
        string running;
        lock (Gate) running = string.Join(", ", Running.Order(StringComparer.Ordinal));
        Try(() => File.AppendAllText(LogPath!, $"{DateTime.UtcNow:HH:mm:ss.fff} {Environment.ProcessPath} (pid {Environment.ProcessId}): {what}; running: {running}{Environment.NewLine}"));
    }

    private static void Try(Action write)
    {
        try
        {
            write();
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

/// <summary>Tells <see cref="TestProcessCrashReport"/> which tests run.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
internal sealed class RunningTestsRecordedAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest, IXunitTest test) => TestProcessCrashReport.Started(test.TestDisplayName);

    public override void After(MethodInfo methodUnderTest, IXunitTest test) => TestProcessCrashReport.Ended(test.TestDisplayName);
}
