using Engram.Core.Model;

namespace Engram.Core.Privacy;

/// <summary>
/// The privacy filter over whole stored records, for ways that bypass the memory service: import
/// (a file may come from anywhere) and export (a store written before a rule existed may still hold
/// what the rule now catches). Filtering is idempotent, so clean records come out unchanged.
/// </summary>
public static class MemoryPrivacy
{
    /// <summary>What is left of a memory whose every word was private.</summary>
    public const string HiddenContent = "[private]";

    public static Memory Scrub(Memory memory)
    {
        var privacy = PrivacyFilter.NewScope();
        var title = privacy.OptionalText(memory.Title);
        var content = privacy.Text(memory.Content);
        if (string.IsNullOrWhiteSpace(content)) content = HiddenContent;
        var scrubbed = memory with
        {
            Title = string.IsNullOrWhiteSpace(title) ? null : title,
            Content = content,
            Facts = privacy.List(memory.Facts),
            Concepts = privacy.List(memory.Concepts),
            FilesRead = privacy.List(memory.FilesRead),
            FilesModified = privacy.List(memory.FilesModified),
            Type = privacy.OptionalText(memory.Type),
            Metadata = privacy.Metadata(memory.Metadata),
        };
        return content == memory.Content ? scrubbed : scrubbed with { ContentHash = ContentHash.Compute(memory.Kind, content) };
    }

    public static HistoryEntry Scrub(HistoryEntry entry) => entry with
    {
        OldValue = entry.OldValue is null ? null : PrivacyFilter.Apply(entry.OldValue),
        NewValue = entry.NewValue is null ? null : PrivacyFilter.Apply(entry.NewValue),
        Reason = entry.Reason is null ? null : PrivacyFilter.Apply(entry.Reason),
    };
}
