using System.Text.Json.Serialization;
using Engram.Core.Model;

namespace Engram.Core.Serialization;

/// <summary>
/// Source-generated JSON for Engram's model: snake_case names, ISO 8601 times, nulls left out.
/// <see cref="MemoryItem"/> is the one shape of a memory outside the process (REST, the CLI's --json, export files, the remote client).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(Memory))]
[JsonSerializable(typeof(MemoryItem))]
[JsonSerializable(typeof(MemoryListResponse))]
[JsonSerializable(typeof(HistoryEntry))]
[JsonSerializable(typeof(HistoryResponse))]
[JsonSerializable(typeof(MemorySource))]
[JsonSerializable(typeof(StoreStats))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<FileState>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<HistoryEntry>))]
[JsonSerializable(typeof(Services.ExportRecord))]
[JsonSerializable(typeof(Services.ExportLine))]
[JsonSerializable(typeof(Services.ImportSummary))]
public sealed partial class EngramJsonContext : JsonSerializerContext;
