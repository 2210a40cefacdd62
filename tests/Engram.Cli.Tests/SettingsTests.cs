using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>A broken settings file or environment override is named in the error, through the real engram process.</summary>
public sealed class SettingsTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;

    public SettingsTests() => _engram = new EngramProcess(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_corrupt_settings_file_is_named_in_the_error()
    {
        Directory.CreateDirectory(_engram.Home);
        var settings = Path.Combine(_engram.Home, "settings.json");
        await File.WriteAllTextAsync(settings, "{ \"Llm\": { \"Provider\": \"none\", }\n  \"Search\": [ }", TestContext.Current.CancellationToken);
        var result = await _engram.RunAsync("list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(settings, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("invalid JSON at line", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"Serch\": {\"RrfK\": 10}}", "unknown setting 'Serch:RrfK'")]
    [InlineData("{\"Search\": {\"RecencyWieght\": 0.1}}", "unknown setting 'Search:RecencyWieght'")]
    [InlineData("{\"Search\": {\"RecencyWeight\": \"lots\"}}", "Search:RecencyWeight is 'lots'")]
    [InlineData("{\"Search\": {\"RecencyWeight\": 3}}", "Search:RecencyWeight must be")]
    [InlineData("{\"Llm\": {\"Provider\": \"skynet\"}}", "Llm:Provider is 'skynet'")]
    [InlineData("[1, 2]", "must be a JSON object")]
    public async Task Broken_settings_name_the_key(string json, string expected)
    {
        Directory.CreateDirectory(_engram.Home);
        await File.WriteAllTextAsync(Path.Combine(_engram.Home, "settings.json"), json, TestContext.Current.CancellationToken);
        var result = await _engram.RunAsync("list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_overrides_are_checked_and_applied()
    {
        _engram.Environment["ENGRAM_SEARCH__RRFK"] = "0";
        var bad = await _engram.RunAsync("list");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Search:RrfK", bad.Stderr, StringComparison.Ordinal);

        _engram.Environment["ENGRAM_SEARCH__RRFK"] = "10";
        _engram.Environment["ENGRAM_LLM__PROVIDER"] = "none";
        Assert.Equal(0, (await _engram.RunAsync("list")).ExitCode);

        _engram.Environment["ENGRAM_SEARCH__NOPE"] = "1";
        var unknown = await _engram.RunAsync("list");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("ENGRAM_SEARCH__NOPE", unknown.Stderr, StringComparison.Ordinal);
    }
}
