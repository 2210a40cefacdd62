using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engram.Testing.ModelServers;

/// <summary>A request a fake model server received: its path and query, and its body as sent.</summary>
public sealed record ModelRequest(string PathAndQuery, string Body)
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
