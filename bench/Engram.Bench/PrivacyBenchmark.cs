using System.Diagnostics;
using System.Globalization;
using System.Text;
using Engram.Core.Privacy;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- privacy
/// Throughput of the privacy filter (private tags, then every redaction rule) on the texts the worker
/// filters: ordinary tool output, text dense with secrets, and adversarial repetitions that would be
/// quadratic under a backtracking engine. Reports the median of several runs after a warm-up.
/// </summary>
public static class PrivacyBenchmark
{
    public static int Run()
    {
        var inputs = new (string Name, string Text)[]
        {
            ("tool output, 16 KB, no secret", Repeat("  at Shop.Cart.Total(IEnumerable`1 items) in /src/Cart.cs:line 42\nPASS tests/cart.test.ts (1.2 s) token bucket refilled; see src/Auth/TokenService.cs\n", 16 * 1024)),
            ("source code, 64 KB", Repeat("public sealed class TokenService(IOptions<AuthOptions> options)\n{\n    private readonly string _key = options.Value.ApiKey;\n    if (password.Length < 12) return Result.Fail(\"password too short\");\n}\n", 64 * 1024)),
            ("config dense with secrets, 16 KB", Repeat("DB_PASSWORD=hunter2\nGITHUB_TOKEN=ghp_1234567890abcdefghijABCDEFGHIJ123456\nDATABASE_URL=postgres://app:S3cret@db:5432/shop\ncurl -u admin:pw1234 https://ci\n", 16 * 1024)),
            ("adversarial 'sk-ant-' x 1 MB", Repeat("sk-ant-", 1 << 20)),
            ("adversarial 'a_password' x 1 MB", Repeat("a_password", 1 << 20)),
            ("adversarial '<private ' x 1 MB", Repeat("<private ", 1 << 20)),
            ("adversarial 'mysql -p' x 1 MB", Repeat("mysql -p", 1 << 20)),
        };
        Console.WriteLine($"engram privacy bench: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        Console.WriteLine("| input | size | median time per call | throughput |");
        Console.WriteLine("|---|---:|---:|---:|");
        PrivacyFilter.Apply(inputs[2].Text); // compile the rules the inputs use
        foreach (var (name, text) in inputs)
        {
            // Warm up first (the worker is long-lived: what counts is the steady state after tiered compilation).
            var warm = Stopwatch.StartNew();
            while (warm.ElapsedMilliseconds < 1500) PrivacyFilter.Apply(text);
            var runs = text.Length > 100_000 ? 7 : 50;
            var times = new List<double>(runs);
            for (var i = 0; i < runs; i++)
            {
                var watch = Stopwatch.StartNew();
                PrivacyFilter.Apply(text);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            var median = times[times.Count / 2];
            var mbPerSecond = text.Length / 1e6 / (median / 1000);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {text.Length / 1024:N0} KB | {median:F2} ms | {mbPerSecond:F1} MB/s |"));
        }
        return 0;
    }

    private static string Repeat(string unit, int length)
    {
        var builder = new StringBuilder(length + unit.Length);
        while (builder.Length < length) builder.Append(unit);
        return builder.ToString(0, length);
    }
}
