using System.Text.Json.Serialization;

namespace Engram.Agents.Pipeline;

[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class PipelineJson : JsonSerializerContext;
