using System.Text.Json.Serialization;

namespace Engram.Agents.Pipeline;

[JsonSerializable(typeof(string))]
internal sealed partial class PipelineJson : JsonSerializerContext;
