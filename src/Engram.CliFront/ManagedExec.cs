using System.Runtime.InteropServices;
using System.Text;
using Engram.Hook;

namespace Engram.CliFront;

/// <summary>
/// Replaces this process with the managed engram (execvp): the same pid, stdin, stdout, stderr, terminal and
/// signals, so exit codes, Ctrl+C, pipes and <c>engram hook</c> behave as if the managed engram had been run
/// directly. Arguments are passed on as the exact bytes this process was given, so one that is not valid UTF-8
/// reaches the managed engram unchanged.
/// </summary>
internal static unsafe class ManagedExec
{
    /// <summary>This process's arguments as the kernel holds them (without argv[0]); from <paramref name="args"/> where /proc is absent.</summary>
    public static byte[][] RawArguments(string[] args)
    {
        try
        {
            var parts = File.ReadAllBytes("/proc/self/cmdline").AsSpan();
            var raw = new List<byte[]>();
            while (parts.Length > 0)
            {
                var end = parts.IndexOf((byte)0);
                if (end < 0) end = parts.Length;
                raw.Add(parts[..end].ToArray());
                parts = parts[Math.Min(end + 1, parts.Length)..];
            }
            if (raw.Count == args.Length + 1) return raw.Skip(1).ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No /proc: the decoded arguments are all there is.
        }
        return args.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    /// <summary>Whether every argument is valid UTF-8 (what the worker is sent is then what was typed).</summary>
    public static bool DecodedExactly(string[] args, byte[][] raw) =>
        args.Length == raw.Length && args.Zip(raw).All(pair => Encoding.UTF8.GetBytes(pair.First).AsSpan().SequenceEqual(pair.Second));

    /// <summary>Becomes the managed engram; returns only when that fails, with the error printed.</summary>
    public static int Run(byte[][] arguments)
    {
        var (file, prefix) = NativeLayout.ManagedCli();
        // With nothing beside this front, "engram" on PATH may be this front itself: it would run forever.
        if (!file.Contains('/', StringComparison.Ordinal) && file != "dotnet")
        {
            Console.Error.WriteLine($"engram: the managed engram is not beside {Environment.ProcessPath}; reinstall (install.sh), or set ENGRAM_CLI to the managed engram or its engram.dll");
            return 1;
        }
        var argv = new List<byte[]> { Encoding.UTF8.GetBytes(file) };
        argv.AddRange(prefix.Select(Encoding.UTF8.GetBytes));
        argv.AddRange(arguments);
        var error = Exec(argv);
        Console.Error.WriteLine($"engram: could not run the managed engram {file}: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})");
        return 1;
    }

    /// <summary>
    /// Sets a variable in the process environment the managed engram inherits through execvp (.NET's own
    /// Environment.SetEnvironmentVariable does not reach it on Unix).
    /// </summary>
    public static void SetEnvironment(string name, string value)
    {
        fixed (byte* n = Encoding.UTF8.GetBytes(name + "\0"), v = Encoding.UTF8.GetBytes(value + "\0"))
        {
            // Fails only without memory: the managed engram then asks the worker once more, as it did before.
            _ = setenv(n, v, 1);
        }
    }

    /// <summary>execvp with NUL-terminated copies of <paramref name="argv"/>; returns errno when it fails.</summary>
    private static int Exec(List<byte[]> argv)
    {
        var strings = new nint[argv.Count + 1];
        try
        {
            for (var i = 0; i < argv.Count; i++)
            {
                var copy = (byte*)NativeMemory.Alloc((nuint)argv[i].Length + 1);
                argv[i].CopyTo(new Span<byte>(copy, argv[i].Length));
                copy[argv[i].Length] = 0;
                strings[i] = (nint)copy;
            }
            fixed (nint* vector = strings)
            {
                // execvp returns only on failure (-1, errno set).
                if (execvp((byte*)strings[0], (byte**)vector) == -1) return Marshal.GetLastPInvokeError();
            }
            return 0;
        }
        finally
        {
            foreach (var pointer in strings) NativeMemory.Free((void*)pointer);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int execvp(byte* file, byte** argv);

    [DllImport("libc")]
    private static extern int setenv(byte* name, byte* value, int overwrite);
}
