using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engram.Core;

namespace Engram.Eval;

/// <summary>
/// The LoCoMo benchmark data (snap-research/LoCoMo <c>locomo10.json</c>): conversations made of dated
/// sessions of turns, and questions with the dialog ids of their evidence. Only the fields the
/// benchmark needs are read; summaries and observations in the file are ignored, so nothing derived
/// from the answers can reach a memory service.
/// </summary>
public sealed partial class LocomoDataset
{
    private static readonly string[] DateFormats =
    [
        "h:mm tt 'on' d MMMM, yyyy",
        "h:mm tt 'on' d MMM, yyyy",
        "h:mm tt 'on' d MMMM yyyy",
        "h:mm tt 'on' d MMM yyyy",
    ];

    private LocomoDataset(string source, IReadOnlyList<LocomoConversation> conversations)
    {
        Source = source;
        Conversations = conversations;
    }

    /// <summary>Where the data came from (a file path), for messages and reports.</summary>
    public string Source { get; }

    public IReadOnlyList<LocomoConversation> Conversations { get; }

    public int QuestionCount => Conversations.Sum(c => c.Questions.Count);

    public int TurnCount => Conversations.Sum(c => c.TurnCount);

    /// <summary>Reads a locomo10.json file. Throws <see cref="EngramException"/> naming the file when it is missing, unreadable or not LoCoMo data.</summary>
    public static LocomoDataset Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new EngramException($"LoCoMo data file '{path}' not found; pass the path of locomo10.json");
        }
        try
        {
            using var stream = File.OpenRead(path);
            return Parse(stream, path);
        }
        catch (IOException ex)
        {
            throw new EngramException($"cannot read LoCoMo data file '{path}': {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new EngramException($"cannot read LoCoMo data file '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Reads LoCoMo JSON from a stream; <paramref name="source"/> names it in errors.</summary>
    public static LocomoDataset Parse(Stream json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new EngramException($"LoCoMo data file '{source}' is not valid JSON: {ex.Message}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new EngramException($"LoCoMo data file '{source}' must hold a JSON array of conversations, not {Describe(root.ValueKind)}");
            }
            var conversations = new List<LocomoConversation>(root.GetArrayLength());
            foreach (var sample in root.EnumerateArray())
            {
                conversations.Add(ReadConversation(sample, conversations.Count, source));
            }
            return new LocomoDataset(source, conversations);
        }
    }

    /// <summary>Parses a LoCoMo session time such as "1:56 pm on 8 May, 2023" as UTC; null when it is not understood.</summary>
    public static DateTimeOffset? ParseSessionDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var collapsed = Spaces().Replace(text.Trim(), " ");
        return DateTimeOffset.TryParseExact(collapsed, DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var date)
            ? date
            : null;
    }

    private static LocomoConversation ReadConversation(JsonElement sample, int index, string source)
    {
        var where = $"conversation {index}";
        if (sample.ValueKind != JsonValueKind.Object) throw Invalid(source, where, $"is {Describe(sample.ValueKind)}, not an object");
        var sampleId = OptionalString(sample, "sample_id", source, where) ?? throw Invalid(source, where, "has no \"sample_id\"");
        where = $"conversation {index} ({sampleId})";
        if (!sample.TryGetProperty("conversation", out var conversation) || conversation.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, where, "has no \"conversation\" object");
        }

        // Iterate session_N keys, never the session_N_date_time keys: some dates have no session.
        var sessions = new List<LocomoSession>();
        foreach (var property in conversation.EnumerateObject())
        {
            var match = SessionKey().Match(property.Name);
            if (!match.Success) continue;
            if (!int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw Invalid(source, where, $"has a session key \"{property.Name}\" whose number is too large");
            }
            var sessionWhere = $"{where} {property.Name}";
            if (property.Value.ValueKind != JsonValueKind.Array) throw Invalid(source, sessionWhere, "is not an array of turns");
            var dateText = OptionalString(conversation, property.Name + "_date_time", source, sessionWhere) ?? "";
            var turns = new List<LocomoTurn>(property.Value.GetArrayLength());
            var t = 0;
            foreach (var turn in property.Value.EnumerateArray())
            {
                turns.Add(ReadTurn(turn, source, $"{sessionWhere} turn {t++}"));
            }
            sessions.Add(new LocomoSession(number, dateText, ParseSessionDate(dateText), turns));
        }
        sessions.Sort((a, b) => a.Number.CompareTo(b.Number));

        var validIds = new HashSet<string>(sessions.SelectMany(s => s.Turns).Select(t => t.DiaId), StringComparer.Ordinal);
        var questions = new List<LocomoQuestion>();
        if (sample.TryGetProperty("qa", out var qa) && qa.ValueKind != JsonValueKind.Null)
        {
            if (qa.ValueKind != JsonValueKind.Array) throw Invalid(source, where, "has a \"qa\" that is not an array");
            foreach (var item in qa.EnumerateArray())
            {
                questions.Add(ReadQuestion(item, questions.Count, validIds, source, $"{where} question {questions.Count}"));
            }
        }

        return new LocomoConversation(
            index,
            sampleId,
            OptionalString(conversation, "speaker_a", source, where) ?? "",
            OptionalString(conversation, "speaker_b", source, where) ?? "",
            sessions,
            questions);
    }

    private static LocomoTurn ReadTurn(JsonElement turn, string source, string where)
    {
        if (turn.ValueKind != JsonValueKind.Object) throw Invalid(source, where, $"is {Describe(turn.ValueKind)}, not an object");
        var diaId = OptionalString(turn, "dia_id", source, where) ?? throw Invalid(source, where, "has no \"dia_id\"");
        var text = OptionalString(turn, "text", source, where) ?? throw Invalid(source, where, $"({diaId}) has no \"text\"");
        var images = new List<string>();
        if (turn.TryGetProperty("img_url", out var urls))
        {
            if (urls.ValueKind == JsonValueKind.String) images.Add(urls.GetString()!);
            else if (urls.ValueKind == JsonValueKind.Array)
            {
                images.AddRange(urls.EnumerateArray().Where(u => u.ValueKind == JsonValueKind.String).Select(u => u.GetString()!));
            }
        }
        return new LocomoTurn(
            OptionalString(turn, "speaker", source, where) ?? "",
            diaId,
            text,
            images,
            OptionalString(turn, "blip_caption", source, where));
    }

    private static LocomoQuestion ReadQuestion(JsonElement item, int index, IReadOnlySet<string> validIds, string source, string where)
    {
        if (item.ValueKind != JsonValueKind.Object) throw Invalid(source, where, $"is {Describe(item.ValueKind)}, not an object");
        var question = OptionalString(item, "question", source, where) ?? throw Invalid(source, where, "has no \"question\"");
        if (!item.TryGetProperty("category", out var categoryElement) || !categoryElement.TryGetInt32(out var category))
        {
            throw Invalid(source, where, "has no whole-number \"category\"");
        }
        string? answer = null;
        if (item.TryGetProperty("answer", out var answerElement))
        {
            answer = answerElement.ValueKind switch
            {
                JsonValueKind.String => answerElement.GetString(),
                JsonValueKind.Null => null,
                _ => answerElement.GetRawText(),
            };
        }
        var raw = new List<string>();
        if (item.TryGetProperty("evidence", out var evidence))
        {
            if (evidence.ValueKind == JsonValueKind.String) raw.Add(evidence.GetString()!);
            else if (evidence.ValueKind == JsonValueKind.Array)
            {
                raw.AddRange(evidence.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            }
        }
        return new LocomoQuestion(index, question, answer, category, raw, LocomoEvidence.Normalize(raw, validIds));
    }

    private static string? OptionalString(JsonElement obj, string name, string source, string where)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Invalid(source, where, $"has a \"{name}\" that is {Describe(value.ValueKind)}, not a string");
    }

    private static EngramException Invalid(string source, string where, string problem) =>
        new($"LoCoMo data file '{source}' is not LoCoMo data: {where} {problem}");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "empty",
    };

    [GeneratedRegex(@"^session_([0-9]+)\z")]
    private static partial Regex SessionKey();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
