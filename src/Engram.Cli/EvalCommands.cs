using System.Text.Json;
using Engram.Core;
using Engram.Core.Services;
using Engram.Eval;
using Engram.Hosting;
using Engram.Sqlite;

namespace Engram.Cli;

/// <summary><c>engram eval locomo</c>: evidence recall of the normal search on the LoCoMo benchmark.</summary>
internal static class EvalCommands
{
    public static IEnumerable<CommandSpec> All() =>
    [
        new("eval", "retrieval benchmarks: locomo (each LoCoMo conversation in a fresh store) or recall (Engram's own set of paraphrased questions)", RunAsync)
        {
            Arguments = [new("BENCHMARK", "locomo or recall") { Candidates = () => ["locomo", "recall"] }],
            Options =
            [
                new("data", "locomo: the LoCoMo locomo10.json", "FILE"),
                new("k", "locomo: the cut-offs to score, comma-separated (default 5,10,25,50)", "LIST"),
                new("conversations", "locomo: which conversations, like 0-4", "RANGE"),
                new("limit", "locomo: at most this many questions", "N"),
                new("questions", "locomo: write one JSON line per scored question to this file", "FILE"),
                OptionSpec.Flag("lexical", "leave the embedding vectors out"),
                OptionSpec.Flag("detailed", "also report every miss"),
                CommonOptions.Json,
            ],
            Details = () => "Forms: engram eval recall [--lexical] [--detailed] | engram eval locomo --data FILE [--k 5,10,25,50] [--conversations 0-4] [--limit N] [--questions FILE]\n"
                + "Each conversation's turns are added as messages (speaker and session date kept) to a temporary store, then every\n"
                + "question is searched with the normal ranker; frac@k, any@k and all@k count the evidence turns found in the top k.\n"
                + "Only turns are loaded: never questions, answers or evidence. The data file is read, never copied.\n"
                + "--questions FILE writes one JSON line per scored question (its evidence and what was retrieved), for error analysis.\n"
                + "Vectors come from the configured embedding provider (the built-in model by default); --lexical leaves them out.",
        },
    ];

    private static async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var benchmark = line.Positional(0, "BENCHMARK");
        if (benchmark == "recall") return await RecallAsync(line, cancellationToken);
        if (benchmark != "locomo") throw new UsageException($"unknown benchmark '{benchmark}'; available: locomo, recall");
        var path = line.Value("data") ?? throw new UsageException("missing --data FILE (the LoCoMo locomo10.json)");
        IReadOnlyList<int> ks;
        try
        {
            ks = line.Value("k") is { } k ? LocomoScorer.ParseKs(k) : LocomoScorer.DefaultKs;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or EngramException)
        {
            throw new UsageException($"--k '{line.Value("k")}' must be a comma-separated list of whole numbers, like 5,10,25,50");
        }
        var options = new LocomoOptions
        {
            Ks = ks,
            Conversations = line.Value("conversations"),
            Limit = line.Value("limit") is null ? null : Arguments.Int(line, "limit", 0, 1, 100_000),
        };
        try
        {
            options.Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new UsageException(ex.Message);
        }

        var data = LocomoDataset.Load(path);
        // The per-question file is opened before the run, so a bad path fails in a second, not after it.
        StreamWriter? questions = null;
        if (line.Value("questions") is { } questionsPath)
        {
            try
            {
                questions = new StreamWriter(questionsPath, append: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot write --questions {questionsPath}: {IoErrors.Describe(ex)}");
            }
        }
        // Search settings come from the user's settings, as for any search; the store is a temporary one per conversation.
        var settings = SettingsLoader.Load(EngramHome.Resolve());
        using var embeddings = line.Has("lexical") ? null : EngramRuntime.Embeddings(settings.Embeddings);
        var folder = Directory.CreateTempSubdirectory("engram-eval-").FullName;
        var stores = new List<SqliteMemoryStore>();
        try
        {
            var progress = new ProgressBar(Output.Error);
            var report = await LocomoEvaluation.RunAsync(data, conversation =>
            {
                var store = new SqliteMemoryStore(Path.Combine(folder, $"conversation-{stores.Count}.db"));
                stores.Add(store);
                return new MemoryService(store, settings.Search, embeddings, embedOnWrite: false);
            }, options, progress, cancellationToken);
            progress.Done();
            if (questions is not null) await WriteQuestionsAsync(questions, report, cancellationToken);
            if (line.Json) Output.Line(line.Has("detailed") ? report.ToDetailedJson() : report.ToJson(indented: true));
            else Output.Line(report.ToTable());
        }
        finally
        {
            if (questions is not null) await questions.DisposeAsync();
            foreach (var store in stores) await store.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    /// <summary>engram eval recall: the built-in recall set, text ranking alone and with vectors, per split.</summary>
    private static async Task<int> RecallAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var settings = SettingsLoader.Load(EngramHome.Resolve());
        var data = RecallEvaluation.Load();
        using var embeddings = line.Has("lexical") ? null : EngramRuntime.Embeddings(settings.Embeddings);
        var folder = Directory.CreateTempSubdirectory("engram-recall-").FullName;
        try
        {
            await using var store = new SqliteMemoryStore(Path.Combine(folder, "recall.db"));
            var hybrid = new MemoryService(store, settings.Search, embeddings, embedOnWrite: false);
            var ids = await RecallEvaluation.LoadIntoAsync(data, hybrid, cancellationToken);
            var misses = new List<string>();
            var scores = await RecallEvaluation.ScoreAsync("lexical", data, new MemoryService(store, settings.Search), ids, misses, cancellationToken);
            if (embeddings is not null)
            {
                scores.AddRange(await RecallEvaluation.ScoreAsync("hybrid", data, hybrid, ids, misses, cancellationToken));
            }
            if (line.Json)
            {
                Output.Line(JsonSerializer.Serialize(scores.Select(s => new Dictionary<string, object>
                {
                    ["ranker"] = s.Ranker, ["split"] = s.Split, ["questions"] = s.Questions,
                    ["hit1"] = Math.Round(s.Hit1, 4), ["hit3"] = Math.Round(s.Hit3, 4), ["mrr"] = Math.Round(s.Mrr, 4),
                })));
            }
            else
            {
                Output.Line($"{data.Queries.Count} questions over {data.Memories.Count} memories (every third question held out)");
                Output.Line(RecallEvaluation.ToTable(scores));
                if (line.Has("detailed")) foreach (var miss in misses) Output.Line(miss);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static async Task WriteQuestionsAsync(StreamWriter writer, LocomoReport report, CancellationToken cancellationToken)
    {
        foreach (var r in report.Results)
        {
            var line = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["conversation"] = r.ConversationIndex,
                ["question"] = r.QuestionIndex,
                ["category"] = LocomoCategories.Name(r.Category),
                ["evidence"] = r.Evidence,
                ["retrieved"] = r.Retrieved,
            });
            await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
        }
    }

    /// <summary>One line on stderr, redrawn in place on a terminal; a line per conversation otherwise.</summary>
    private sealed class ProgressBar(TextWriter writer) : IProgress<LocomoProgress>
    {
        private readonly bool _terminal = !Console.IsErrorRedirected;
        private string _last = "";

        public void Report(LocomoProgress value)
        {
            var line = value.ToString();
            if (_terminal)
            {
                writer.Write("\r" + line.PadRight(Math.Max(_last.Length, line.Length)));
            }
            else if (value.Completed == value.Total)
            {
                writer.WriteLine(line);
            }
            _last = line;
        }

        public void Done()
        {
            if (_terminal && _last.Length > 0) writer.WriteLine();
        }
    }
}
