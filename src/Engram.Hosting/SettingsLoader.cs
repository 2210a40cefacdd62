using System.Globalization;
using System.Text.Json;
using Engram.Core;
using Engram.Core.Search;
using Microsoft.Extensions.Configuration;

namespace Engram.Hosting;

/// <summary>
/// Reads settings.json, then ENGRAM_&lt;Section&gt;__&lt;Key&gt; environment variables over it. Every key is
/// checked: an unknown key or a value of the wrong shape is an error naming the file (or variable) and key.
/// </summary>
public static class SettingsLoader
{
    private const string EnvironmentPrefix = "ENGRAM_";

    /// <summary>Known keys, as Section:Key, in the case they are documented.</summary>
    private static readonly string[] KnownKeys =
    [
        "Storage:Provider", "Storage:ConnectionString",
        "Llm:Provider", "Llm:Model", "Llm:BaseUrl", "Llm:ApiKey", "Llm:DailyTokenBudget", "Llm:CompressSessions", "Llm:CompressionModel",
        "Embeddings:Provider", "Embeddings:Model", "Embeddings:BaseUrl", "Embeddings:ApiKey", "Embeddings:Dimensions", "Embeddings:ModelPath",
        "Search:RecencyHalfLifeDays", "Search:RecencyWeight", "Search:ImportanceWeight", "Search:RrfK", "Search:VectorWeight", "Search:MessageVectorWeight",
        "Search:CandidateMultiplier", "Search:MinCandidates", "Search:SpeakerBoost", "Search:DateBoost", "Search:DateSlackDays", "Search:WhenBoost", "Search:NumberBoost", "Search:CoverageBoost",
        "Search:NeighbourVectorShare", "Search:VectorQueryWithoutSpeakers",
        "Search:IdleAfterDays", "Search:IdleFactor",
        "Hooks:SkipTools", "Hooks:ContextTokens", "Worker:IdleMinutes",
        "Server:Host", "Server:Port", "Server:RateLimitPerMinute", "Server:MaxRequestBytes",
    ];

    /// <summary>Keys that hold a list: in JSON an array (Key:0, Key:1, ...), in a variable a comma-separated string.</summary>
    private static readonly string[] ListKeys = ["Hooks:SkipTools"];

    public static EngramSettings Load(EngramHome home) => Load(home.SettingsPath, Environment.GetEnvironmentVariables());

    public static EngramSettings Load(string settingsPath, System.Collections.IDictionary environment)
    {
        var builder = new ConfigurationBuilder();
        if (File.Exists(settingsPath))
        {
            CheckJson(settingsPath);
            builder.AddJsonFile(settingsPath, optional: true, reloadOnChange: false);
        }
        var overrides = EnvironmentOverrides(environment);
        builder.AddInMemoryCollection(overrides.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value)));

        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or JsonException)
        {
            throw new EngramException($"{settingsPath}: {ex.Message}");
        }

        var sources = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, variable) in overrides.Select(o => (o.Key, o.Variable))) sources[key] = $"environment variable {variable}";
        string Where(string key) => sources.TryGetValue(key, out var source) ? source : settingsPath;

        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is null) continue; // a section, not a value
            if (!KnownKeys.Contains(key, StringComparer.OrdinalIgnoreCase) && !ListKeys.Any(k => IsListItem(key, k)))
            {
                var hint = KnownKeys.FirstOrDefault(k => k.Split(':')[0].Equals(key.Split(':')[0], StringComparison.OrdinalIgnoreCase));
                throw new EngramException($"{Where(key)}: unknown setting '{key}'" + (hint is null
                    ? $"; known sections are Storage, Llm, Embeddings, Search, Hooks, Worker and Server"
                    : $"; settings of {hint.Split(':')[0]} are {string.Join(", ", KnownKeys.Where(k => k.StartsWith(hint.Split(':')[0] + ":", StringComparison.Ordinal)))}"));
            }
        }

        string? Text(string key) => configuration[key] is { } v && v.Trim().Length > 0 ? v.Trim() : null;
        string Choice(string key, string fallback, params string[] allowed)
        {
            var value = Text(key)?.ToLowerInvariant() ?? fallback;
            return allowed.Contains(value)
                ? value
                : throw new EngramException($"{Where(key)}: setting {key} is '{configuration[key]}'; expected one of: {string.Join(", ", allowed)}");
        }
        double? Number(string key)
        {
            var v = Text(key);
            if (v is null) return null;
            return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n)
                ? n
                : throw new EngramException($"{Where(key)}: setting {key} is '{v}', which is not a number");
        }
        int? Whole(string key)
        {
            var v = Text(key);
            if (v is null) return null;
            return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new EngramException($"{Where(key)}: setting {key} is '{v}', which is not a whole number");
        }

        long? Long(string key)
        {
            var v = Text(key);
            if (v is null) return null;
            return long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new EngramException($"{Where(key)}: setting {key} is '{v}', which is not a whole number");
        }

        bool Flag(string key)
        {
            var v = Text(key);
            if (v is null) return false;
            return bool.TryParse(v, out var b) ? b : throw new EngramException($"{Where(key)}: setting {key} is '{v}'; expected true or false");
        }

        IReadOnlyList<string>? List(string key)
        {
            if (Text(key) is { } joined) return joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var items = configuration.GetSection(key).GetChildren().Select(c => c.Value?.Trim()).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();
            return items.Count > 0 ? items : null;
        }

        var defaults = new SearchOptions();
        var serverDefaults = new ServerSettings();
        var settings = new EngramSettings
        {
            Storage = new StorageSettings
            {
                Provider = Choice("Storage:Provider", "sqlite", "sqlite", "postgres"),
                ConnectionString = Text("Storage:ConnectionString"),
            },
            Llm = new LlmSettings
            {
                Provider = Choice("Llm:Provider", "none", "none", "anthropic", "openai", "claude-code", "auto"),
                Model = Text("Llm:Model"),
                BaseUrl = Text("Llm:BaseUrl"),
                ApiKey = Text("Llm:ApiKey"),
                DailyTokenBudget = Whole("Llm:DailyTokenBudget") is { } budget
                    ? budget >= 0 ? budget : throw new EngramException($"{Where("Llm:DailyTokenBudget")}: setting Llm:DailyTokenBudget must be 0 (no limit) or a positive number of tokens")
                    : 0,
                CompressSessions = Flag("Llm:CompressSessions"),
                CompressionModel = Text("Llm:CompressionModel"),
            },
            Embeddings = new EmbeddingSettings
            {
                Provider = Choice("Embeddings:Provider", "local", "local", "none", "openai"),
                Model = Text("Embeddings:Model"),
                BaseUrl = Text("Embeddings:BaseUrl"),
                ApiKey = Text("Embeddings:ApiKey"),
                Dimensions = Whole("Embeddings:Dimensions"),
                ModelPath = Text("Embeddings:ModelPath"),
            },
            Search = new SearchOptions
            {
                RecencyHalfLifeDays = Number("Search:RecencyHalfLifeDays") ?? defaults.RecencyHalfLifeDays,
                RecencyWeight = Number("Search:RecencyWeight") ?? defaults.RecencyWeight,
                ImportanceWeight = Number("Search:ImportanceWeight") ?? defaults.ImportanceWeight,
                IdleAfterDays = Number("Search:IdleAfterDays") ?? defaults.IdleAfterDays,
                IdleFactor = Number("Search:IdleFactor") ?? defaults.IdleFactor,
                RrfK = Whole("Search:RrfK") ?? defaults.RrfK,
                VectorWeight = Number("Search:VectorWeight") ?? defaults.VectorWeight,
                MessageVectorWeight = Number("Search:MessageVectorWeight") ?? defaults.MessageVectorWeight,
                CandidateMultiplier = Whole("Search:CandidateMultiplier") ?? defaults.CandidateMultiplier,
                MinCandidates = Whole("Search:MinCandidates") ?? defaults.MinCandidates,
                SpeakerBoost = Number("Search:SpeakerBoost") ?? defaults.SpeakerBoost,
                DateBoost = Number("Search:DateBoost") ?? defaults.DateBoost,
                DateSlackDays = Whole("Search:DateSlackDays") ?? defaults.DateSlackDays,
                WhenBoost = Number("Search:WhenBoost") ?? defaults.WhenBoost,
                NumberBoost = Number("Search:NumberBoost") ?? defaults.NumberBoost,
                CoverageBoost = Number("Search:CoverageBoost") ?? defaults.CoverageBoost,
                NeighbourVectorShare = Number("Search:NeighbourVectorShare") ?? defaults.NeighbourVectorShare,
                VectorQueryWithoutSpeakers = Text("Search:VectorQueryWithoutSpeakers") is null ? defaults.VectorQueryWithoutSpeakers : Flag("Search:VectorQueryWithoutSpeakers"),
            },
            Hooks = new HookSettings
            {
                SkipTools = List("Hooks:SkipTools"),
                ContextTokens = Whole("Hooks:ContextTokens") ?? 1500,
            },
            Worker = new WorkerSettings { IdleMinutes = Number("Worker:IdleMinutes") ?? 10 },
            Server = new ServerSettings
            {
                Host = Text("Server:Host") ?? serverDefaults.Host,
                Port = Whole("Server:Port") ?? serverDefaults.Port,
                RateLimitPerMinute = Whole("Server:RateLimitPerMinute") ?? serverDefaults.RateLimitPerMinute,
                MaxRequestBytes = Long("Server:MaxRequestBytes") ?? serverDefaults.MaxRequestBytes,
            },
        };
        if (settings.Hooks.ContextTokens is < 100 or > 2375)
        {
            throw new EngramException($"{Where("Hooks:ContextTokens")}: setting Hooks:ContextTokens must be a whole number from 100 to 2375 (Claude Code keeps at most 10,000 characters)");
        }
        if (settings.Worker.IdleMinutes is <= 0 or > 1440)
        {
            throw new EngramException($"{Where("Worker:IdleMinutes")}: setting Worker:IdleMinutes must be a number of minutes above 0 and at most 1440");
        }
        if (settings.Server.Port is < 0 or > 65535)
        {
            throw new EngramException($"{Where("Server:Port")}: setting Server:Port is {settings.Server.Port}; use 1 to 65535 (0 picks a free port)");
        }
        if (settings.Server.RateLimitPerMinute < 0)
        {
            throw new EngramException($"{Where("Server:RateLimitPerMinute")}: setting Server:RateLimitPerMinute is {settings.Server.RateLimitPerMinute}; use 1 or more (0 turns the limit off)");
        }
        if (settings.Server.MaxRequestBytes < 1024)
        {
            throw new EngramException($"{Where("Server:MaxRequestBytes")}: setting Server:MaxRequestBytes is {settings.Server.MaxRequestBytes}; use at least 1024");
        }
        try
        {
            settings.Search.Validate();
        }
        catch (EngramException ex)
        {
            throw new EngramException($"{settingsPath} (or its ENGRAM_ overrides): {ex.Message}");
        }
        return settings;
    }

    private static bool IsListItem(string key, string listKey) =>
        key.StartsWith(listKey + ":", StringComparison.OrdinalIgnoreCase) && int.TryParse(key.AsSpan(listKey.Length + 1), out _);

    /// <summary>ENGRAM_Section__Key variables (double underscore) become Section:Key. Others, like ENGRAM_HOME, are not settings.</summary>
    private static List<(string Key, string Variable, string Value)> EnvironmentOverrides(System.Collections.IDictionary environment)
    {
        var list = new List<(string, string, string)>();
        foreach (System.Collections.DictionaryEntry entry in environment)
        {
            var name = (string)entry.Key;
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)) continue;
            var rest = name[EnvironmentPrefix.Length..];
            if (!rest.Contains("__", StringComparison.Ordinal)) continue;
            list.Add((rest.Replace("__", ":", StringComparison.Ordinal), name, entry.Value as string ?? ""));
        }
        return list;
    }

    /// <summary>Parses the file once to report malformed JSON with its line and column.</summary>
    private static void CheckJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new EngramException($"{path}: settings must be a JSON object, like {{\"Llm\": {{\"Provider\": \"none\"}}}}");
            }
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "";
            throw new EngramException($"{path}: invalid JSON{where}; fix the file or delete it to use the defaults");
        }
        catch (IOException ex)
        {
            throw new EngramException($"{path}: cannot be read: {ex.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new EngramException($"{path}: permission denied");
        }
    }
}
