using System.Text.Json;
using Engram.Core.Model;
using Engram.Core.Privacy;
using Engram.Core.Serialization;
using Engram.Core.Storage;

namespace Engram.Core.Services;

/// <summary>One line of an export file: a memory with its whole history, or (memory null) the history of a deleted one.</summary>
public sealed record ExportRecord
{
    public Memory? Memory { get; init; }
    public List<HistoryEntry> History { get; init; } = [];
}

/// <summary>What an import did.</summary>
public sealed record ImportSummary(int Lines, int MemoriesAdded, int MemoriesAlreadyPresent, int HistoryEntries);

/// <summary>
/// Lossless JSONL export and import: every memory in scope (superseded ones too) with its history,
/// then the history of deleted memories. Import keeps ids, times and validity, and skips what is
/// already there, so importing a file twice changes nothing.
/// </summary>
public static class MemoryTransfer
{
    public static async Task<int> ExportAsync(IMemoryStore store, MemoryFilter filter, TextWriter output, CancellationToken cancellationToken = default)
    {
        var lines = 0;
        await foreach (var memory in store.ListChronologicalAsync(filter with { IncludeSuperseded = true }, cancellationToken))
        {
            var history = await store.GetHistoryAsync(memory.Scope.Tenant, memory.Id, cancellationToken);
            await WriteAsync(output, new ExportRecord { Memory = MemoryPrivacy.Scrub(memory), History = [.. history.Select(MemoryPrivacy.Scrub)] });
            lines++;
        }
        // Deleted memories are only in history; kept so a restore knows what was removed and when.
        if (filter.Kinds.Count == 0 && filter.Since is null && filter.Until is null && filter.Metadata.Count == 0)
        {
            var group = new List<HistoryEntry>();
            await foreach (var entry in store.ListOrphanHistoryAsync(filter, cancellationToken))
            {
                if (group.Count > 0 && group[0].MemoryId != entry.MemoryId)
                {
                    await WriteAsync(output, new ExportRecord { History = group });
                    lines++;
                    group = [];
                }
                group.Add(MemoryPrivacy.Scrub(entry));
            }
            if (group.Count > 0)
            {
                await WriteAsync(output, new ExportRecord { History = group });
                lines++;
            }
        }
        await output.FlushAsync(cancellationToken);
        return lines;
    }

    /// <summary>Reads and checks every line first, so a bad file imports nothing; then writes.</summary>
    public static async Task<ImportSummary> ImportAsync(IMemoryStore store, TextReader input, string sourceName, CancellationToken cancellationToken = default)
    {
        var records = new List<ExportRecord>();
        var number = 0;
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            ExportRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(line, EngramJsonContext.Default.ExportRecord);
            }
            catch (JsonException ex)
            {
                throw new EngramException($"{sourceName} line {number}: not an Engram export record ({ex.Message})");
            }
            if (record is null || (record.Memory is null && record.History.Count == 0))
            {
                throw new EngramException($"{sourceName} line {number}: expected an object with \"memory\" and \"history\"");
            }
            if (record.Memory is { } m && (string.IsNullOrWhiteSpace(m.Id) || string.IsNullOrWhiteSpace(m.Content)))
            {
                throw new EngramException($"{sourceName} line {number}: the memory has no id or no content");
            }
            if (record.History.Any(h => string.IsNullOrWhiteSpace(h.Id) || string.IsNullOrWhiteSpace(h.MemoryId)))
            {
                throw new EngramException($"{sourceName} line {number}: a history entry has no id or memory_id");
            }
            records.Add(record);
        }

        int added = 0, present = 0, history = 0;
        foreach (var record in records)
        {
            var memory = record.Memory is { } m ? MemoryPrivacy.Scrub(m) with { Scope = m.Scope.Normalized() } : null;
            var inserted = await store.ImportAsync(memory, record.History.Select(h => MemoryPrivacy.Scrub(h) with { Scope = h.Scope.Normalized() }).ToList(), cancellationToken);
            if (memory is not null)
            {
                if (inserted) added++;
                else present++;
            }
            history += record.History.Count;
        }
        return new ImportSummary(number, added, present, history);
    }

    private static Task WriteAsync(TextWriter output, ExportRecord record) =>
        output.WriteLineAsync(JsonSerializer.Serialize(record, EngramJsonContext.Default.ExportRecord));
}
