using System.Collections.Concurrent;

namespace Engram.Sqlite;

/// <summary>
/// How many rows of the full-text index hold each query phrase (the input of its IDF), kept across queries for
/// as long as the index is unchanged. Counting walks the phrase's whole doclist (about 6 ms a common word at a
/// million memories, on each connection of a split ranking); the count is exact for a given index, so a copy
/// taken under the same index structure is the same number. One instance a store, found by id from SQL.
/// </summary>
internal sealed class PhraseCounts
{
    /// <summary>More phrases than this and the memory starts over (a few bytes each).</summary>
    private const int MaxPhrases = 50_000;

    private static readonly ConcurrentDictionary<int, PhraseCounts> Open = new();
    private static int _lastId;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _rows = new(StringComparer.Ordinal);
    private byte[] _structure = [];

    /// <summary>A new, empty set of counts and its id (never 0, which means "none").</summary>
    public static int Create()
    {
        var id = Interlocked.Increment(ref _lastId);
        Open[id] = new PhraseCounts();
        return id;
    }

    public static void Remove(int id) => Open.TryRemove(id, out _);

    public static PhraseCounts? Find(int id) => Open.TryGetValue(id, out var counts) ? counts : null;

    /// <summary>The count of a phrase under this index structure, if known; other structures' counts are forgotten.</summary>
    public bool TryGet(byte[] structure, string phrase, out long rows)
    {
        lock (_gate)
        {
            if (!structure.AsSpan().SequenceEqual(_structure))
            {
                _rows.Clear();
                _structure = structure;
            }
            return _rows.TryGetValue(phrase, out rows);
        }
    }

    public void Add(byte[] structure, string phrase, long rows)
    {
        lock (_gate)
        {
            if (!structure.AsSpan().SequenceEqual(_structure)) return;
            if (_rows.Count >= MaxPhrases) _rows.Clear();
            _rows[phrase] = rows;
        }
    }
}
