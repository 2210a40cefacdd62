using System.Text.Json;

namespace Engram.Agents.Json;

/// <summary>
/// A JSON value located in the UTF-8 text it was parsed from, so that an edit can change one value
/// and leave every other byte of the file as it was.
/// </summary>
internal sealed class JsonTextNode
{
    public JsonTextNode(JsonValueKind kind, int start)
    {
        Kind = kind;
        Start = start;
    }

    public JsonValueKind Kind { get; }
    /// <summary>Offset of the value's first byte.</summary>
    public int Start { get; }
    /// <summary>Offset just past the value's last byte.</summary>
    public int End { get; set; }
    /// <summary>Members of an object, in order.</summary>
    public List<JsonTextMember> Members { get; } = [];
    /// <summary>Items of an array, in order.</summary>
    public List<JsonTextNode> Items { get; } = [];
    /// <summary>The unescaped value of a string.</summary>
    public string? String { get; set; }
    /// <summary>The text of a number, true, false or null.</summary>
    public string? Literal { get; set; }

    public int Count => Kind == JsonValueKind.Object ? Members.Count : Items.Count;

    /// <summary>The value of the last member with this name (JSON readers keep the last duplicate), or null.</summary>
    public JsonTextNode? Get(string name) => Members.FindLast(m => m.Name == name)?.Value;

    /// <summary>Index of the last member with this name, or -1.</summary>
    public int IndexOf(string name) => Members.FindLastIndex(m => m.Name == name);

    /// <summary>The string value of member <paramref name="name"/>, or null when missing or not a string.</summary>
    public string? GetString(string name) => Get(name) is { Kind: JsonValueKind.String } value ? value.String : null;

    /// <summary>Start of element <paramref name="index"/> (a member's name, or an item).</summary>
    public int ElementStart(int index) => Kind == JsonValueKind.Object ? Members[index].NameStart : Items[index].Start;

    /// <summary>End of element <paramref name="index"/>.</summary>
    public int ElementEnd(int index) => Kind == JsonValueKind.Object ? Members[index].Value.End : Items[index].End;
}

/// <summary>An object member: its name, where the name's opening quote is, and its value.</summary>
internal sealed record JsonTextMember(string Name, int NameStart, JsonTextNode Value);
