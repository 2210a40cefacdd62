using System.Diagnostics;
using System.Globalization;
using Engram.Core.Text;

namespace Engram.Bench;

/// <summary>
/// The shipped lexicon: time to first use (cold, JIT included) and to a warm reload, the managed memory it
/// keeps, the time of each lookup, and what it answers for a few words.
/// </summary>
internal static class LexiconBenchmark
{
    private const string ResourceName = "Engram.Core.Text.Lexicon.lexicon.v1.txt.gz";

    public static int Run(IReadOnlyList<string> words)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var lexicon = Lexicon.Default;
        var cold = watch.Elapsed.TotalMilliseconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var kept = GC.GetTotalMemory(forceFullCollection: true) - before;

        var reloads = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            using var stream = typeof(Lexicon).Assembly.GetManifestResourceStream(ResourceName)!;
            watch.Restart();
            GC.KeepAlive(Lexicon.Load(stream));
            reloads.Add(watch.Elapsed.TotalMilliseconds);
        }
        reloads.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"lexicon: first use {cold:0.0} ms, warm reload median {reloads[2]:0.0} ms, {kept / 1048576.0:0.0} MB managed memory kept ({allocated / 1048576.0:0.0} MB allocated while loading)"));

        Console.WriteLine("| lookup | mean per call |");
        Console.WriteLine("|---|---:|");
        Time("Lemmas", words, w => lexicon.Lemmas(w));
        Time("Related", words, w => lexicon.Related(w));
        Time("Broader depth 2", words, w => lexicon.Broader(w, depth: 2));
        Time("Narrower depth 2, max 50", words, w => lexicon.Narrower(w, depth: 2, max: 50));

        foreach (var word in words)
        {
            Console.WriteLine();
            Console.WriteLine($"{word}");
            Console.WriteLine($"  lemmas:   {string.Join(", ", lexicon.Lemmas(word))}");
            Console.WriteLine($"  related:  {string.Join(", ", lexicon.Related(word))}");
            Console.WriteLine($"  broader:  {string.Join(", ", lexicon.Broader(word, depth: 2))}");
            Console.WriteLine($"  narrower: {string.Join(", ", lexicon.Narrower(word, depth: 2, max: 20))}");
        }
        return 0;
    }

    private static void Time(string name, IReadOnlyList<string> words, Func<string, IReadOnlyList<string>> lookup)
    {
        foreach (var w in words) lookup(w); // warm-up
        const int Rounds = 2000;
        var watch = Stopwatch.StartNew();
        for (var r = 0; r < Rounds; r++)
        {
            foreach (var w in words) lookup(w);
        }
        var micros = watch.Elapsed.TotalMicroseconds / (Rounds * words.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {micros:0.0} µs |"));
    }
}
