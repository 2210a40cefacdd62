using Microsoft.Extensions.Logging;

namespace Engram.Cli;

/// <summary>
/// Log lines to stderr, one per entry, for <c>engram mcp</c> (its stdout is the protocol). A few lines of
/// code instead of the console logging package, whose options, formatters and queue thread cost the
/// server's start-up more than everything it logs.
/// </summary>
internal sealed class StderrLoggerProvider(LogLevel minimum) : ILoggerProvider
{
    private static readonly Lock Gate = new();

    public ILogger CreateLogger(string categoryName) => new StderrLogger(categoryName, minimum);

    public void Dispose()
    {
    }

    private sealed class StderrLogger(string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = $"engram mcp: {logLevel.ToString().ToLowerInvariant()}: {category}: {formatter(state, exception)}"
                + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})");
            lock (Gate) Console.Error.WriteLine(line.ReplaceLineEndings(" | "));
        }
    }
}
