using System.Diagnostics;

namespace Engram.Testing;

/// <summary>
/// The project the real-agent sessions work on: a git repository with a Node.js module whose test fails
/// (<c>node test.js</c> exits 1 with an AssertionError) until the off-by-one in <c>add()</c> is fixed.
/// </summary>
public static class CalculatorProject
{
    public const string BrokenMath = "exports.add = (a, b) => a + b + 1;\n";
    public const string FixedMath = "exports.add = (a, b) => a + b;\n";

    public static void Create(string folder)
    {
        Directory.CreateDirectory(folder);
        if (!Directory.Exists(Path.Combine(folder, ".git"))) Git(folder, "init", "-q");
        File.WriteAllText(Path.Combine(folder, "math.js"), BrokenMath);
        File.WriteAllText(Path.Combine(folder, "test.js"),
            "const assert = require('assert');\nassert.strictEqual(require('./math').add(2, 2), 4);\nconsole.log('all tests passed');\n");
    }

    private static void Git(string cwd, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} failed in {cwd}");
    }
}
