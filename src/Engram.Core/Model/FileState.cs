namespace Engram.Core.Model;

/// <summary>
/// A file a memory is about, as it was when the memory was made: its path and content hash, and the
/// lines the memory concerns when they are known. Comparing the hash with the file as it is now tells
/// whether the memory may describe code that has since changed.
/// </summary>
public sealed record FileState
{
    /// <summary>Absolute path, so any process on the machine can check it.</summary>
    public required string Path { get; init; }
    /// <summary>SHA-256 of the file's bytes (hex), or empty when the file did not exist at capture.</summary>
    public required string Hash { get; init; }
    public int? StartLine { get; init; }
    public int? EndLine { get; init; }
}
