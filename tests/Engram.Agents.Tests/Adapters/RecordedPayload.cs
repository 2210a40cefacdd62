using System.Text;
using System.Text.Json.Nodes;

namespace Engram.Agents.Tests.Adapters;

/// <summary>A hook payload recorded from a real agent CLI (tests/Fixtures/payloads), optionally with fields replaced.</summary>
internal static class RecordedPayload
{
    public static string Text(string agent, string file) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "payloads", agent, file));

    public static byte[] Bytes(string agent, string file, params (string Name, string Value)[] replaced)
    {
        var json = JsonNode.Parse(Text(agent, file))!.AsObject();
        foreach (var (name, value) in replaced) json[name] = value;
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}
