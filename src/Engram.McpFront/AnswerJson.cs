using System.Text.Json.Serialization;

namespace Engram.McpFront;

/// <summary>Source-generated JSON for the few strings engram-mcp writes itself (no reflection under NativeAOT).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class AnswerJson : JsonSerializerContext;
