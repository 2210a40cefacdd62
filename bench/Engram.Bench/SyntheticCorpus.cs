namespace Engram.Bench;

/// <summary>
/// Deterministic, realistic-looking memories: coding-session observations (edits, test runs, commits,
/// stack traces) and personal facts built from a Zipf-distributed vocabulary, so term frequencies
/// resemble real text (a few very common words, a long tail of rare ones). Queries are paraphrase-like: a few words of a target memory plus filler.
/// </summary>
internal sealed class SyntheticCorpus(int seed)
{
    private static readonly string[] Common =
    [
        "build", "test", "error", "file", "function", "config", "database", "server", "user", "request", "cache",
        "deploy", "branch", "commit", "query", "index", "token", "session", "memory", "worker", "queue", "api",
        "timeout", "retry", "login", "schema", "migration", "docker", "kubernetes", "python", "typescript", "rust",
        "fixed", "added", "removed", "refactored", "renamed", "investigated", "discovered", "decided", "prefers",
        "meeting", "project", "deadline", "review", "release", "bug", "feature", "latency", "memory", "disk",
    ];

    private static readonly string[] Templates =
    [
        "{0} the {1} {2} in {3} after the {4} {5} failed",
        "{0} prefers {1} over {2} for {3} work",
        "The {1} {2} runs on port {6} in {3}",
        "Decided to use {1} for the {2} {4} because {5} was too slow",
        "{0} fixed a {1} bug where {2} returned stale {4} data",
        "Investigated why {1} {2} timed out during {3} {5}",
        "Meeting with {0} about the {1} {2} moved to {3}",
        // Coding-session observations as the capture hook and the worker write them.
        "Edited src/{1}/{2}_{3}.ts: {4} now checks {5} before calling the {1} client",
        "Ran npm test in {3}: 2 failing, {1} {2} expected {4} but got {5}",
        "Read {1}/{2}.py to find where {3} {4} is parsed; the {5} branch skips validation",
        "git commit -m \"{4}: handle {1} {2} on {3}\" after review by {0}",
        "TypeError: cannot read properties of undefined (reading '{2}') in {1}/{3}.js line {6}",
    ];

    private readonly Random _random = new(seed);
    private readonly string[] _rare = BuildRareWords(seed, 20_000);

    public string Memory()
    {
        var template = Templates[_random.Next(Templates.Length)];
        return string.Format(System.Globalization.CultureInfo.InvariantCulture, template,
            Name(), Word(), Word(), Word(), Word(), Word(), _random.Next(1000, 65000));
    }

    /// <summary>A question about the given memory text: two or three of its rarer words with question filler.</summary>
    public string QueryFor(string memory)
    {
        var words = memory.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 3).ToArray();
        var picked = Enumerable.Range(0, Math.Min(3, words.Length)).Select(_ => words[_random.Next(words.Length)]).Distinct();
        return "what do we know about " + string.Join(' ', picked) + " and why?";
    }

    private string Name() => _rare[_random.Next(200)] is var n ? char.ToUpperInvariant(n[0]) + n[1..] : "";

    /// <summary>Half of the words from the common list, half from a Zipf tail over the rare list.</summary>
    private string Word()
    {
        if (_random.NextDouble() < 0.5) return Common[_random.Next(Common.Length)];
        var u = _random.NextDouble();
        var rank = (int)Math.Min(_rare.Length - 1, Math.Floor(Math.Pow(_rare.Length, u)) - 1);
        return _rare[Math.Max(0, rank)];
    }

    private static string[] BuildRareWords(int seed, int count)
    {
        var random = new Random(seed ^ 0x5bd1e995);
        const string consonants = "bcdfghjklmnprstvwz";
        const string vowels = "aeiou";
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < count)
        {
            var length = random.Next(2, 5);
            var chars = new char[length * 2];
            for (var i = 0; i < length; i++)
            {
                chars[2 * i] = consonants[random.Next(consonants.Length)];
                chars[2 * i + 1] = vowels[random.Next(vowels.Length)];
            }
            words.Add(new string(chars));
        }
        return [.. words];
    }
}
