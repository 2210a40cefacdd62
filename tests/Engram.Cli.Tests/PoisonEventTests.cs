using System.Text;
using System.Text.Json;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// One bad event never holds back another: each poison kind goes through the real hook, then a normal event
/// does, and processing must store the normal one. Repairable faults (a cut emoji, a stray byte) are repaired
/// and stored; unreadable events are set aside with their reason, listed by stats and doctor, and retryable.
/// </summary>
public sealed class PoisonEventTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;
    private readonly string _repo;
    private readonly ClaudeCodeSession _session;

    public PoisonEventTests()
    {
        _engram = new EngramProcess(_folder.File("home"));
        _engram.Environment["ENGRAM_NO_WORKER"] = "1";
        _repo = _folder.File("work/app");
        Directory.CreateDirectory(_repo);
        _session = new ClaudeCodeSession("poison-session", _repo);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>An Edit whose new text holds <paramref name="poison"/> as raw JSON bytes inside a string.</summary>
    private byte[] EditWith(string file, byte[] poison)
    {
        var json = _session.Edit(file, "x = 1", "x = 'cut POISON'");
        var at = json.IndexOf("POISON", StringComparison.Ordinal);
        var before = Encoding.UTF8.GetBytes(json[..at]);
        var afterFirst = json[(at + "POISON".Length)..];
        // The marker appears twice (tool_input and tool_response): poison both.
        var second = afterFirst.IndexOf("POISON", StringComparison.Ordinal);
        return [.. before, .. poison, .. Encoding.UTF8.GetBytes(afterFirst[..second]), .. poison, .. Encoding.UTF8.GetBytes(afterFirst[(second + "POISON".Length)..])];
    }

    private static byte[] Poison(string kind) => kind switch
    {
        "lone-high-surrogate" => Encoding.ASCII.GetBytes("\\ud83d"),
        "lone-low-surrogate" => Encoding.ASCII.GetBytes("\\ude00 and \\ud83d\\ud83d\\ude00"),
        "invalid-utf8" => [0xFF, 0xC3, 0x28, 0xE2, 0x82],
        "overlong-utf8" => [0xC0, 0xAF, 0xED, 0xA0, 0x80],
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [InlineData("lone-high-surrogate")]
    [InlineData("lone-low-surrogate")]
    [InlineData("invalid-utf8")]
    [InlineData("overlong-utf8")]
    public async Task A_repairable_event_is_stored_with_replacement_characters_and_the_next_event_flows(string kind)
    {
        Assert.Equal(0, (await _engram.RunWithBytesAsync(EditWith("src/poisoned_file.py", Poison(kind)), "hook", "claude-code", "post-tool-use")).ExitCode);
        Assert.Equal(0, (await _engram.RunWithInputAsync(_session.Edit("src/after_poison.py", "a = 1", "a = 2"), "hook", "claude-code", "post-tool-use")).ExitCode);

        var process = await _engram.RunAsync("process", "--json");
        Assert.True(process.ExitCode == 0, process.Stderr);
        var contents = await ContentsAsync();
        Assert.Contains(contents, c => c.Contains("after_poison.py", StringComparison.Ordinal));
        Assert.Contains(contents, c => c.Contains("poisoned_file.py", StringComparison.Ordinal));
        Assert.Equal(0, await SetAsideCountAsync());
    }

    public static TheoryData<string> Unreadable() => ["truncated", "random-bytes", "not-an-object", "deep-nesting", "nul-bytes", "twenty-megabytes"];

    private byte[] UnreadablePayload(string kind) => kind switch
    {
        "truncated" => Encoding.UTF8.GetBytes(_session.Edit("src/a.py", "a", "b")[..60]),
        "random-bytes" => RandomBytes(4096),
        "not-an-object" => "[1, 2, {\"session_id\": \"x\"}]"u8.ToArray(),
        "deep-nesting" => Encoding.ASCII.GetBytes(new string('[', 100_000)),
        "nul-bytes" => [0, 0, (byte)'{', 0, (byte)'}'],
        // Valid JSON but cut mid-string: the largest thing a broken agent might send.
        "twenty-megabytes" => Encoding.ASCII.GetBytes("{\"session_id\":\"s\",\"tool_response\":\"" + new string('y', 20 * 1024 * 1024)),
        _ => throw new ArgumentException(kind),
    };

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(20261130).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Unreadable))]
    public async Task An_unreadable_event_is_set_aside_visibly_and_holds_nothing_back(string kind)
    {
        Assert.Equal(0, (await _engram.RunWithBytesAsync(UnreadablePayload(kind), "hook", "claude-code", "post-tool-use")).ExitCode);
        Assert.Equal(0, (await _engram.RunWithInputAsync(_session.Edit("src/after_poison.py", "a = 1", "a = 2"), "hook", "claude-code", "post-tool-use")).ExitCode);

        var process = await _engram.RunAsync("process", "--json");
        Assert.True(process.ExitCode == 0, process.Stderr);
        Assert.Contains(await ContentsAsync(), c => c.Contains("after_poison.py", StringComparison.Ordinal));
        Assert.Equal(1, await SetAsideCountAsync());

        var doctor = await _engram.RunAsync("doctor");
        Assert.Contains("set aside", doctor.Stdout + doctor.Stderr, StringComparison.Ordinal);

        // Retrying puts it back through the pipeline; it fails again, is set aside again, and nothing else moves.
        var retry = await _engram.RunAsync("process", "--retry", "--json");
        Assert.True(retry.ExitCode == 0, retry.Stderr);
        using (var result = JsonDocument.Parse(retry.Stdout))
        {
            Assert.Equal(1, result.RootElement.GetProperty("retried").GetInt32());
            Assert.Equal(1, result.RootElement.GetProperty("failed").GetInt32());
        }
        Assert.Single(await ContentsAsync());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_engram.Home, "spool"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Raw_events_an_older_version_set_aside_are_quarantined_redacted_and_their_files_deleted()
    {
        var rejected = Path.Combine(_engram.Home, "spool", "rejected");
        Directory.CreateDirectory(rejected);
        const string secret = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
        await File.WriteAllTextAsync(Path.Combine(rejected, "01JZZZZZZZZZZZZZZZZZZZZZZZ.event.json"), "{\"v\":1,\"id\":\"01JZZZZZZZZZZZZZZZZZZZZZZZ\",\"agent\":\"claude-code\",\"event\":\"post-tool-use\",\"payload\":{\"command\":\"export GITHUB_TOKEN=" + secret, TestContext.Current.CancellationToken);

        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);

        Assert.False(Directory.EnumerateFiles(rejected).Any(), "the raw file is gone");
        Assert.Equal(1, await SetAsideCountAsync());
        var bytes = Directory.EnumerateFiles(_engram.Home, "engram.db*").SelectMany(f =>
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }).ToArray();
        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, "the token reached the database");
        Assert.True(bytes.AsSpan().IndexOf("export GITHUB_TOKEN="u8) >= 0, "the rest of the event is kept for diagnosis");
    }

    private async Task<List<string>> ContentsAsync()
    {
        var list = await _engram.RunAsync("list", "--json");
        Assert.True(list.ExitCode == 0, list.Stderr);
        using var document = JsonDocument.Parse(list.Stdout);
        return document.RootElement.GetProperty("results").EnumerateArray()
            .Select(m => m.GetProperty("content").GetString() + " " + m.GetProperty("title").GetString()).ToList();
    }

    private async Task<int> SetAsideCountAsync()
    {
        var stats = await _engram.RunAsync("stats", "--json");
        Assert.True(stats.ExitCode == 0, stats.Stderr);
        using var document = JsonDocument.Parse(stats.Stdout);
        var count = document.RootElement.GetProperty("set_aside").GetArrayLength();
        foreach (var row in document.RootElement.GetProperty("set_aside").EnumerateArray())
        {
            Assert.False(string.IsNullOrWhiteSpace(row.GetProperty("error").GetString()), "a set-aside event says why");
        }
        return count;
    }
}
