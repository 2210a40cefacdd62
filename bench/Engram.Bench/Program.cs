using System.Globalization;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- [--sizes 10000,100000,1000000] [--queries 200] [--dir PATH] (see SearchPathBench)
/// dotnet run -c Release --project bench/Engram.Bench -- stages [--size 100000] [--queries 200] [--dir PATH] (see SearchStages)
/// dotnet run -c Release --project bench/Engram.Bench -- after-add [--size 1000000] [--queries 200] [--dir PATH] (see SearchAfterAdd)
/// dotnet run -c Release --project bench/Engram.Bench -- tenants [--size 100000] [--queries 200] [--dir PATH] (see TenantSearchBench)
/// dotnet run -c Release --project bench/Engram.Bench -- vectors [--scan 1000000] [--queries 200] (see VectorBench)
/// dotnet run -c Release --project bench/Engram.Bench -- recall
/// dotnet run -c Release --project bench/Engram.Bench -- load [--adders 8] [--clients 32] [--seconds 60] (see LoadBenchmark)
/// dotnet run -c Release --project bench/Engram.Bench -- privacy
/// dotnet run -c Release --project bench/Engram.Bench -- agent-session [--engram /tmp/engram-pub] [--runs 10] [--claude PATH] (real Claude Code sessions)
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "cluster") return await ClusterLoadBenchmark.RunAsync(args);
        if (args.Length > 0 && args[0] == "load")
        {
            return await LoadBenchmark.RunAsync(args, (name, fallback) => Option(args, name, fallback));
        }
        if (args.Length > 0 && args[0] == "stages")
        {
            return await SearchStages.RunAsync(int.Parse(Option(args, "--size", "100000"), CultureInfo.InvariantCulture),
                int.Parse(Option(args, "--queries", "200"), CultureInfo.InvariantCulture), Option(args, "--dir", Path.Combine(Path.GetTempPath(), "engram-bench")));
        }
        if (args.Length > 0 && args[0] == "after-add")
        {
            return await SearchAfterAdd.RunAsync(int.Parse(Option(args, "--size", "1000000"), CultureInfo.InvariantCulture),
                int.Parse(Option(args, "--queries", "200"), CultureInfo.InvariantCulture), Option(args, "--dir", Path.Combine(Path.GetTempPath(), "engram-bench")));
        }
        if (args.Length > 0 && args[0] == "tenants")
        {
            return await TenantSearchBench.RunAsync(int.Parse(Option(args, "--size", "100000"), CultureInfo.InvariantCulture),
                int.Parse(Option(args, "--queries", "200"), CultureInfo.InvariantCulture), Option(args, "--dir", Path.Combine(Path.GetTempPath(), "engram-bench")));
        }
        if (args.Length > 0 && args[0] == "privacy") return PrivacyBenchmark.Run();
        if (args.Length > 0 && args[0] == "agent-session")
        {
            return await AgentSessionBenchmark.RunAsync(Option(args, "--engram", "/tmp/engram-pub"), int.Parse(Option(args, "--runs", "10"), CultureInfo.InvariantCulture),
                Option(args, "--claude", ""));
        }
        if (args.Length > 0 && args[0] == "locomo-sweep")
        {
            return await LocomoSweep.RunAsync(Option(args, "--data", "../shared/bench/locomo10.json"), Option(args, "--conversations", "0-4"),
                Option(args, "--dir", Path.Combine(Path.GetTempPath(), "engram-sweep")),
                Option(args, "--grid", "5,0.2,0,0;5,0.3,0,1;5,0.3,0.3,1;5,0.5,0.3,1"),
                args.Contains("--cache") ? Option(args, "--cache", "") : null);
        }
        if (args.Length > 0 && args[0] == "vectors")
        {
            return await VectorBench.RunAsync(int.Parse(Option(args, "--queries", "200"), CultureInfo.InvariantCulture),
                int.Parse(Option(args, "--scan", "1000000"), CultureInfo.InvariantCulture));
        }
        if (args.Length > 0 && args[0] == "recall-sweep")
        {
            return await RecallSweep.RunAsync(Option(args, "--grid", "60,0.3;60,1;60,2;20,0.5;20,1;10,0.5;10,1;5,0.3;5,0.5;5,1;5,3"));
        }
        if (args.Length > 0 && args[0] == "recall")
        {
            return await RecallBenchmark.RunAsync(Option(args, "--data", Path.Combine(AppContext.BaseDirectory, "Data", "recall.json")));
        }
        var sizes = Option(args, "--sizes", "10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return await SearchPathBench.RunAsync(sizes, int.Parse(Option(args, "--queries", "200"), CultureInfo.InvariantCulture),
            Option(args, "--dir", Path.Combine(Path.GetTempPath(), "engram-bench")));
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
