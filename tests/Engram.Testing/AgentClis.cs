using System.Diagnostics;
using System.Text.Json;

namespace Engram.Testing;

/// <summary>
/// The real agent CLIs from npm, pinned, installed once into a cached prefix (<c>$ENGRAM_AGENT_CLIS</c>, else
/// <c>~/.cache/engram/agent-clis</c>) and reused by later runs; npm's own cache makes a reinstall quick.
/// </summary>
public static class AgentClis
{
    /// <summary>The versions the end-to-end tests and the session benchmark run (README, "Tested with the real clients").</summary>
    public static readonly IReadOnlyDictionary<string, string> Pinned = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["@anthropic-ai/claude-code"] = "2.1.332",
        ["@openai/codex"] = "0.171.0",
        ["@google/gemini-cli"] = "0.61.0",
    };

    private static readonly SemaphoreSlim Installing = new(1, 1);

    public static string Prefix =>
        Environment.GetEnvironmentVariable("ENGRAM_AGENT_CLIS") is { Length: > 0 } prefix
            ? prefix
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "engram", "agent-clis");

    /// <summary>The folder with the claude, codex and gemini executables, installing what is missing or of another version.</summary>
    public static async Task<string> BinFolderAsync()
    {
        await Installing.WaitAsync();
        try
        {
            var missing = Pinned.Where(p => InstalledVersion(p.Key) != p.Value).Select(p => $"{p.Key}@{p.Value}").ToList();
            if (missing.Count > 0) await NpmInstallAsync(missing);
            return Path.Combine(Prefix, "node_modules", ".bin");
        }
        finally
        {
            Installing.Release();
        }
    }

    private static string? InstalledVersion(string package)
    {
        var manifest = Path.Combine(Prefix, "node_modules", package, "package.json");
        if (!File.Exists(manifest)) return null;
        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        return document.RootElement.TryGetProperty("version", out var version) ? version.GetString() : null;
    }

    private static async Task NpmInstallAsync(IEnumerable<string> packages)
    {
        Directory.CreateDirectory(Prefix);
        var start = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "install", "--prefix", Prefix, "--no-audit", "--no-fund", "--save-exact" }.Concat(packages)) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"npm is needed to install the real agent CLIs ({e.Message}); install Node.js 20+ (.ci/run does)", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm install of the agent CLIs into {Prefix} failed ({process.ExitCode}): {await stderr}{await stdout}");
            }
        }
    }
}
