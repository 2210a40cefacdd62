using Engram.Core.Model;

namespace Engram.Agents.Pipeline;

/// <summary>One memory given in a context: its place (from 1), the signal that put it there, and the tokens its lines took.</summary>
public sealed record InjectedMemory(string MemoryId, int Rank, string Reason, string Detail, int Tokens);

/// <summary>A built session context: the text the agent is given and the memories in it, in the order they appear.</summary>
public sealed record SessionContext(string Text, IReadOnlyList<InjectedMemory> Memories)
{
    public static SessionContext Empty { get; } = new("", []);

    /// <summary>The files the staleness marks were checked against: a change to any of them means building it again.</summary>
    public IReadOnlyList<string> WatchedFiles { get; init; } = [];

    /// <summary>Estimated tokens of the whole text (four characters each, as the budget counts them).</summary>
    public int EstimatedTokens => Tokens(Text.Length);

    internal static int Tokens(int characters) => (characters + 3) / 4;
}

/// <summary>Collects the memories of a context as its lines are written: the first line of a memory fixes its rank, later lines add to its cost.</summary>
internal sealed class InjectedItems
{
    private readonly List<(Memory Memory, string Reason, string Detail, int Characters)> _items = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public void Add(Memory memory, string reason, string detail, int characters)
    {
        if (_index.TryGetValue(memory.Id, out var at))
        {
            _items[at] = _items[at] with { Characters = _items[at].Characters + characters };
            return;
        }
        _index[memory.Id] = _items.Count;
        _items.Add((memory, reason, detail, characters));
    }

    public List<InjectedMemory> ToList() =>
        [.. _items.Select((item, i) => new InjectedMemory(item.Memory.Id, i + 1, item.Reason, item.Detail, SessionContext.Tokens(item.Characters)))];
}
