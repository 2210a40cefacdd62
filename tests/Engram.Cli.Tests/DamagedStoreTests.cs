using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>A damaged database is reported in words by every command and by doctor, never as a crash.</summary>
public sealed class DamagedStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Pages_overwritten_with_garbage_give_one_line_errors_and_a_doctor_report()
    {
        var engram = new EngramProcess(_folder.File("home"));
        engram.Environment["ENGRAM_NO_WORKER"] = "1";
        for (var i = 0; i < 4; i++)
        {
            var text = string.Join(' ', Enumerable.Range(0, 2500).Select(w => $"deployment{i}stage{w}"));
            Assert.Equal(0, (await engram.RunAsync("add", text)).ExitCode);
        }
        var path = Path.Combine(engram.Home, "engram.db");
        Assert.Equal(0, (await engram.RunAsync("stats")).ExitCode); // the last close checkpoints the WAL into the file
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        Assert.True(bytes.Length > 16 * 4096, "the database spans many pages");
        // Keep the header page (so the file still opens) and scribble over the rest.
        var garbage = new Random(7);
        for (var at = 4096; at < bytes.Length; at++) bytes[at] = (byte)garbage.Next(256);
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        foreach (var args in new[] { new[] { "list" }, ["search", "deployment"], ["stats"] })
        {
            var result = await engram.RunAsync(args);
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith("engram: ", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("unexpected error", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }

        var doctor = await engram.RunAsync("doctor");
        Assert.DoesNotContain("   at ", doctor.Stdout + doctor.Stderr, StringComparison.Ordinal);
        Assert.Contains("damaged", doctor.Stdout + doctor.Stderr, StringComparison.Ordinal);
    }
}
