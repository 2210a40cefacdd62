using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Engram.Core.Storage;

namespace Engram.Cli;

/// <summary>
/// The per-project part of <c>engram stats</c>: memories by kind, what the session-start contexts gave, and how
/// much of it the agents then used (fetched, or acted on by touching the memory's file).
/// </summary>
internal static class StatsOutput
{
    public static JsonArray ProjectsJson(IReadOnlyList<ProjectUse> projects)
    {
        var rows = new JsonArray();
        foreach (var p in projects)
        {
            var kinds = new JsonObject();
            foreach (var (kind, count) in p.MemoriesByKind.OrderBy(k => k.Key, StringComparer.Ordinal)) kinds[kind] = count;
            rows.Add(new JsonObject
            {
                ["project"] = p.Project,
                ["memories_by_kind"] = kinds,
                ["injections"] = p.Injections,
                ["injected_memories"] = p.InjectedMemories,
                ["sessions"] = p.Sessions,
                ["tokens_injected"] = p.TokensInjected,
                ["fetched"] = p.Fetched,
                ["acted_on"] = p.ActedOn,
                ["used"] = p.Used,
                ["fetch_rate"] = Rate(p.Fetched, p.Injections),
                ["act_rate"] = Rate(p.ActedOn, p.Injections),
                ["use_rate"] = Rate(p.Used, p.Injections),
            });
        }
        return rows;
    }

    public static void AppendProjects(StringBuilder text, IReadOnlyList<ProjectUse> projects)
    {
        foreach (var p in projects)
        {
            var kinds = p.MemoriesByKind.Count == 0 ? "no current memories"
                : string.Join(", ", p.MemoriesByKind.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}"));
            text.Append(CultureInfo.InvariantCulture, $"\nproject:   {(p.Project.Length == 0 ? "(none)" : p.Project)}: {kinds}");
            if (p.Injections == 0)
            {
                text.Append("\n           never injected into a session");
                continue;
            }
            text.Append(CultureInfo.InvariantCulture,
                $"\n           injected {p.Injections} times ({p.InjectedMemories} memories, {p.Sessions} sessions, {p.TokensInjected:N0} tokens); " +
                $"fetched {p.Fetched} ({Percent(p.Fetched, p.Injections)}), acted on {p.ActedOn} ({Percent(p.ActedOn, p.Injections)}), " +
                $"used {p.Used} ({Percent(p.Used, p.Injections)})");
        }
    }

    /// <summary>A share of the injections, rounded to three places (0 when nothing was injected).</summary>
    private static double Rate(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 3);

    private static string Percent(long part, long whole) => (whole == 0 ? 0 : (double)part / whole).ToString("0.0%", CultureInfo.InvariantCulture);
}
