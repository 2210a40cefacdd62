using System.Reflection.PortableExecutable;

namespace Engram.Cli;

/// <summary>Whether this engram was compiled ReadyToRun (native code for this machine) or is plain IL that the JIT compiles at every start.</summary>
internal static class CompiledForm
{
    /// <summary>True when engram.dll carries ReadyToRun code (its CLI header points at a native code header).</summary>
    public static bool IsReadyToRun()
    {
        try
        {
            using var stream = File.OpenRead(typeof(CompiledForm).Assembly.Location);
            using var reader = new PEReader(stream);
            return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException or ArgumentException)
        {
            return true; // unknown: no warning rather than a false one
        }
    }
}
