using System.Diagnostics;

namespace Engram.Agents.Tests;

/// <summary>Runs the real git CLI for test set-up, isolated from the machine's global and system config.</summary>
public static class Git
{
    public static string Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var option in new[] { "-c", "user.name=Engram Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always" })
        {
            start.ArgumentList.Add(option);
        }
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        var errorTask = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var error = errorTask.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed in {workingDirectory}: {error}");
        }
        return output;
    }

    /// <summary>A new repository at <paramref name="path"/> with one commit.</summary>
    public static string Init(string path, string? originUrl = null)
    {
        Directory.CreateDirectory(path);
        Run(path, "init", "-q");
        File.WriteAllText(Path.Combine(path, "README.md"), "hello\n");
        Run(path, "add", "README.md");
        Run(path, "commit", "-q", "-m", "initial");
        if (originUrl is not null) Run(path, "remote", "add", "origin", originUrl);
        return path;
    }
}
