using System.Text;

namespace Engram.Core.Text;

// The graph as flat arrays: a "start" array holds, for item i, where its run begins in the array
// after it (the run ends where item i + 1's begins). Few objects keep loading fast and memory low.
public sealed partial class Lexicon
{
    private readonly string[] _lemmas;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idsBySpan;
    private readonly byte[] _lemmaPos;
    private readonly int _longestWord;
    private readonly int[] _senseStart, _senseSynset, _senseTags;
    private readonly byte[] _pos;
    private readonly int[] _synsetTags;
    private readonly int[] _memberStart, _members;
    private readonly int[] _hypernymStart, _hypernyms;
    private readonly int[] _hyponymStart, _hyponyms;
    private readonly int[] _linkStart, _linkLemma;
    private readonly byte[] _linkMember;

    /// <summary>Inflected form -> base forms, each packed as lemma id * 4 + part of speech.</summary>
    private readonly Dictionary<string, int[]> _exceptions;

    private Lexicon(ReadOnlySpan<byte> text)
    {
        var lines = new Lines(text);

        var lemmaCount = lines.Header('L');
        _lemmas = new string[lemmaCount];
        _ids = new Dictionary<string, int>(lemmaCount, StringComparer.Ordinal);
        _senseStart = new int[lemmaCount + 1];
        var senses = new List<int>(lemmaCount * 3 / 2);
        var tags = new List<int>(lemmaCount * 3 / 2);
        for (var i = 0; i < lemmaCount; i++)
        {
            var line = lines.Next();
            var tab = line.IndexOf((byte)'\t');
            _lemmas[i] = Encoding.ASCII.GetString(line[..tab]);
            _longestWord = Math.Max(_longestWord, tab);
            _ids.Add(_lemmas[i], i);
            foreach (var range in line[(tab + 1)..].Split((byte)' '))
            {
                var sense = line[(tab + 1)..][range];
                var colon = sense.IndexOf((byte)':');
                senses.Add(Number(colon < 0 ? sense : sense[..colon]));
                tags.Add(colon < 0 ? 0 : Number(sense[(colon + 1)..]));
            }
            _senseStart[i + 1] = senses.Count;
        }
        _idsBySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _senseSynset = senses.ToArray();
        _senseTags = tags.ToArray();

        var synsetCount = lines.Header('S');
        _pos = new byte[synsetCount];
        _memberStart = new int[synsetCount + 1];
        _hypernymStart = new int[synsetCount + 1];
        _linkStart = new int[synsetCount + 1];
        var members = new List<int>(synsetCount * 2);
        var hypernyms = new List<int>(synsetCount);
        var linkLemmas = new List<int>(synsetCount);
        var linkMembers = new List<byte>(synsetCount);
        for (var s = 0; s < synsetCount; s++)
        {
            var line = lines.Next();
            _pos[s] = line[0] switch
            {
                (byte)'n' => Noun,
                (byte)'v' => Verb,
                (byte)'a' => Adjective,
                (byte)'r' => Adverb,
                _ => throw new InvalidDataException($"Lexicon synset {s}: unknown part of speech."),
            };
            line = line[2..];
            var tab = line.IndexOf((byte)'\t');
            foreach (var range in line[..tab].Split((byte)' ')) members.Add(Number(line[..tab][range]));
            line = line[(tab + 1)..];
            tab = line.IndexOf((byte)'\t');
            foreach (var range in line[..tab].Split((byte)' '))
            {
                // An instance hypernym ("i123") is followed like any other.
                var hypernym = line[..tab][range];
                if (!hypernym.IsEmpty) hypernyms.Add(Number(hypernym[0] == (byte)'i' ? hypernym[1..] : hypernym));
            }
            line = line[(tab + 1)..];
            foreach (var range in line.Split((byte)' '))
            {
                var link = line[range];
                if (link.IsEmpty) continue;
                var arrow = link.IndexOf((byte)'>');
                linkMembers.Add((byte)Number(link[..arrow]));
                linkLemmas.Add(Number(link[(arrow + 1)..]));
            }
            _memberStart[s + 1] = members.Count;
            _hypernymStart[s + 1] = hypernyms.Count;
            _linkStart[s + 1] = linkLemmas.Count;
        }
        _members = members.ToArray();
        _hypernyms = hypernyms.ToArray();
        _linkLemma = linkLemmas.ToArray();
        _linkMember = linkMembers.ToArray();

        var exceptionCount = lines.Header('E');
        _exceptions = new Dictionary<string, int[]>(exceptionCount, StringComparer.Ordinal);
        for (var e = 0; e < exceptionCount; e++)
        {
            var fields = Encoding.ASCII.GetString(lines.Next()).Split('\t');
            var pos = Array.IndexOf(["n", "v", "a", "r"], fields[0]);
            var bases = fields.Skip(2).Select(b => _ids[b] * 4 + pos);
            _exceptions[fields[1]] = _exceptions.TryGetValue(fields[1], out var known) ? [.. known, .. bases] : [.. bases];
            _longestWord = Math.Max(_longestWord, fields[1].Length);
        }

        // Derived indexes: hyponyms invert hypernyms; a synset's use is the tag count of its senses;
        // a lemma's parts of speech are those of its senses.
        (_hyponymStart, _hyponyms) = Invert(_hypernymStart, _hypernyms, synsetCount);
        _synsetTags = new int[synsetCount];
        _lemmaPos = new byte[lemmaCount];
        for (var i = 0; i < lemmaCount; i++)
        {
            for (var k = _senseStart[i]; k < _senseStart[i + 1]; k++)
            {
                _synsetTags[_senseSynset[k]] += _senseTags[k];
                _lemmaPos[i] |= (byte)(1 << _pos[_senseSynset[k]]);
            }
        }
    }

    private static (int[] Start, int[] Targets) Invert(int[] start, int[] targets, int count)
    {
        var inverseStart = new int[count + 1];
        foreach (var t in targets) inverseStart[t + 1]++;
        for (var i = 0; i < count; i++) inverseStart[i + 1] += inverseStart[i];
        var fill = inverseStart[..count];
        var inverse = new int[targets.Length];
        for (var source = 0; source < count; source++)
        {
            for (var k = start[source]; k < start[source + 1]; k++) inverse[fill[targets[k]]++] = source;
        }
        return (inverseStart, inverse);
    }

    private static int Number(ReadOnlySpan<byte> digits)
    {
        var n = 0;
        foreach (var d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9') throw new InvalidDataException("Lexicon: a number was expected.");
            n = n * 10 + (d - '0');
        }
        return n;
    }

    private ref struct Lines(ReadOnlySpan<byte> text)
    {
        private ReadOnlySpan<byte> _rest = text;

        public ReadOnlySpan<byte> Next()
        {
            var end = _rest.IndexOf((byte)'\n');
            if (end < 0) throw new InvalidDataException("Lexicon: the text ends too early.");
            var line = _rest[..end];
            _rest = _rest[(end + 1)..];
            return line;
        }

        /// <summary>The count on a section's header line ("L 147306"), after any comment lines.</summary>
        public int Header(char section)
        {
            var line = Next();
            while (line.Length > 0 && line[0] == (byte)'#') line = Next();
            if (line.Length < 3 || line[0] != (byte)section || line[1] != (byte)' ') throw new InvalidDataException($"Lexicon: section {section} was expected.");
            return Number(line[2..]);
        }
    }
}
