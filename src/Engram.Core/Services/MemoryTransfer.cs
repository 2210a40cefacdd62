using System.Text.Json;
using Engram.Core.Model;
using Engram.Core.Privacy;
using Engram.Core.Serialization;
using Engram.Core.Storage;

namespace Engram.Core.Services;

/// <summary>What an export holds, record by record: a memory with its whole history, or (memory null) the history of a deleted one; written as an <see cref="ExportLine"/>.</summary>
public sealed record ExportRecord
{
    public Memory? Memory { get; init; }
    public List<HistoryEntry> History { get; init; } = [];
}

/// <summary>An export file's line as written: the memory as <see cref="MemoryItem"/>.</summary>
public sealed record ExportLine
{
    public MemoryItem? Memory { get; init; }
    public List<HistoryEntry> History { get; init; } = [];
}

/// <summary>What a store-to-store copy did.</summary>
public sealed record CopySummary(int Tenants, int MemoriesAdded, int MemoriesAlreadyPresent, int HistoryEntries, int UsageRows);

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
        await foreach (var record in RecordsAsync(store, filter, cancellationToken))
        {
            await WriteAsync(output, record);
            lines++;
        }
        await output.FlushAsync(cancellationToken);
        return lines;
    }

    /// <summary>What an export holds, record by record: each memory in scope with its history, then deleted memories' history.</summary>
    public static async IAsyncEnumerable<ExportRecord> RecordsAsync(IMemoryStore store, MemoryFilter filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var memory in store.ListChronologicalAsync(filter with { IncludeSuperseded = true }, cancellationToken))
        {
            var history = await store.GetHistoryAsync(memory.Scope.Tenant, memory.Id, cancellationToken);
            yield return new ExportRecord { Memory = MemoryPrivacy.Scrub(memory), History = [.. history.Select(MemoryPrivacy.Scrub)] };
        }
        // Deleted memories are only in history; kept so a restore knows what was removed and when.
        if (filter.Kinds.Count == 0 && filter.Since is null && filter.Until is null && filter.Metadata.Count == 0)
        {
            var group = new List<HistoryEntry>();
            await foreach (var entry in store.ListOrphanHistoryAsync(filter, cancellationToken))
            {
                if (group.Count > 0 && group[0].MemoryId != entry.MemoryId)
                {
                    yield return new ExportRecord { History = group };
                    group = [];
                }
                group.Add(MemoryPrivacy.Scrub(entry));
            }
            if (group.Count > 0) yield return new ExportRecord { History = group };
        }
    }

    /// <summary>
    /// Copies a whole store into another (every tenant: memories with ids, times, validity and history,
    /// deleted memories' history, and the model usage ledger), then checks that every tenant's memory and
    /// history counts agree. Copying twice changes nothing. API keys (only their hashes are stored) and
    /// queued events stay behind: create keys on the target, and process the queue before moving.
    /// </summary>
    public static async Task<CopySummary> CopyAsync(IEngramStore source, IEngramStore target, CancellationToken cancellationToken = default)
    {
        var tenants = await source.ListTenantsAsync(cancellationToken);
        int added = 0, present = 0, history = 0;
        foreach (var tenant in tenants)
        {
            await foreach (var record in RecordsAsync(source, new MemoryFilter { Tenant = tenant }, cancellationToken))
            {
                var inserted = await target.ImportAsync(record.Memory, record.History, cancellationToken);
                if (record.Memory is not null)
                {
                    if (inserted) added++;
                    else present++;
                }
                history += record.History.Count;
            }
        }
        var usage = await source.Usage.UsageSinceAsync(DateOnly.MinValue, cancellationToken);
        var targetUsage = (await target.Usage.UsageSinceAsync(DateOnly.MinValue, cancellationToken))
            .Select(u => (u.Day, u.Purpose, u.Provider, u.Model)).ToHashSet();
        foreach (var row in usage.Where(u => !targetUsage.Contains((u.Day, u.Purpose, u.Provider, u.Model))))
        {
            await target.Usage.RecordAsync(row, cancellationToken);
        }
        foreach (var tenant in tenants)
        {
            var from = await source.GetStatsAsync(tenant, cancellationToken);
            var to = await target.GetStatsAsync(tenant, cancellationToken);
            if (from.Memories != to.Memories || from.HistoryEntries != to.HistoryEntries)
            {
                throw new EngramException($"after copying, tenant '{tenant}' has {to.Memories} memories and {to.HistoryEntries} history entries in {target.Location}, " +
                    $"but {from.Memories} and {from.HistoryEntries} in {source.Location}; the target held other data with the same ids, or changed during the copy");
            }
        }
        return new CopySummary(tenants.Count, added, present, history, usage.Count);
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
                record = ReadLine(line);
            }
            catch (JsonException ex)
            {
                throw new EngramException($"{sourceName} line {number}: not an Engram export record ({ex.Message})");
            }
            catch (EngramException ex)
            {
                throw new EngramException($"{sourceName} line {number}: {ex.Message}");
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

    /// <summary>A line: the memory in the one JSON shape of a memory (<see cref="MemoryItem.ForExport"/>), and its history.</summary>
    private static Task WriteAsync(TextWriter output, ExportRecord record) =>
        output.WriteLineAsync(JsonSerializer.Serialize(new ExportLine
        {
            Memory = record.Memory is { } m ? MemoryItem.ForExport(m) : null,
            History = record.History,
        }, EngramJsonContext.Default.ExportLine));

    /// <summary>
    /// A line of an export file. Files written before the memory took its one JSON shape hold the model itself
    /// (its text under <c>content</c>, not <c>memory</c>): they are read as they were written.
    /// </summary>
    private static ExportRecord? ReadLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        if (document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("memory", out var memory) && memory.ValueKind == JsonValueKind.Object
            && memory.TryGetProperty("content", out _) && !memory.TryGetProperty("memory", out _))
        {
            return document.RootElement.Deserialize(EngramJsonContext.Default.ExportRecord);
        }
        var read = document.RootElement.Deserialize(EngramJsonContext.Default.ExportLine);
        return read is null ? null : new ExportRecord { Memory = read.Memory?.ToMemory(), History = read.History ?? [] };
    }
}
