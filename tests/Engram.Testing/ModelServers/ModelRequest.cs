using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engram.Testing.ModelServers;

/// <summary>
/// A request a fake model server received: its path and query, its body as sent, and when it arrived
/// (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>, so a benchmark can tell start-up from the turns).
/// </summary>
public sealed record ModelRequest(string PathAndQuery, string Body, long Timestamp)
{
    public JsonNode? Json
    {
        get
        {
            try
            {
                return JsonNode.Parse(Body);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public bool Contains(string text) => Body.Contains(text, StringComparison.Ordinal)
        // Bodies escape non-ASCII and some punctuation; compare with the same escaping too.
        || Body.Contains(JsonSerializer.Serialize(text)[1..^1], StringComparison.Ordinal);
}
