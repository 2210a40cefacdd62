using System.Security.Cryptography;
using Engram.Core.Model;

namespace Engram.Core.Services;

/// <summary>Whether the files a memory is about are still as they were when it was made.</summary>
public enum Freshness
{
    /// <summary>The memory records no file state (or none could be read now).</summary>
    Unchecked,
    Fresh,
    /// <summary>A file's content differs from its hash at capture: the memory may describe old code.</summary>
    Changed,
    /// <summary>A file that existed at capture is gone.</summary>
    Gone,
}

/// <summary>
/// Records file states at capture and checks them later. One instance is one check pass: each file is
/// hashed at most once however many memories name it, so building a context reads every file once.
/// </summary>
public sealed class FileFreshness
{
    /// <summary>Files larger than this are not hashed (a generated bundle, a database): their memories stay unchecked.</summary>
    public const long MaxHashedBytes = 8 * 1024 * 1024;

    private readonly Dictionary<string, string?> _hashes = new(StringComparer.Ordinal);

    /// <summary>The state of a file now: its hash, or an empty hash when it does not exist. Null when it cannot be read.</summary>
    public static FileState? Capture(string absolutePath, int? startLine = null, int? endLine = null)
    {
        var hash = HashFile(absolutePath);
        return hash is null ? null : new FileState { Path = absolutePath, Hash = hash, StartLine = startLine, EndLine = endLine };
    }

    /// <summary>The state of a file whose whole content the agent sent (a Write), without reading the disk.</summary>
    public static FileState FromContent(string absolutePath, string content) =>
        new() { Path = absolutePath, Hash = Hex(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content))) };

    /// <summary>SHA-256 of the file (hex); "" when it does not exist; null when it cannot be read or is too large.</summary>
    public static string? HashFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return Directory.Exists(path) ? null : "";
            if (info.Length > MaxHashedBytes) return null;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
            return Hex(SHA256.HashData(stream));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>One file compared with its state at capture.</summary>
    public Freshness Check(FileState state)
    {
        if (!Path.IsPathRooted(state.Path)) return Freshness.Unchecked;
        if (!_hashes.TryGetValue(state.Path, out var now))
        {
            now = HashFile(state.Path);
            _hashes[state.Path] = now;
        }
        if (now is null) return Freshness.Unchecked;
        if (now == state.Hash) return Freshness.Fresh;
        return now.Length == 0 ? Freshness.Gone : Freshness.Changed;
    }

    /// <summary>The worst state over a memory's files: gone before changed before fresh.</summary>
    public Freshness Check(Memory memory)
    {
        var worst = Freshness.Unchecked;
        foreach (var state in memory.FileStates)
        {
            var status = Check(state);
            if (status > worst) worst = status;
        }
        return worst;
    }

    /// <summary>The files of a memory that are no longer as they were, with their state.</summary>
    public IEnumerable<(FileState File, Freshness Status)> Differences(Memory memory) =>
        memory.FileStates.Select(f => (f, Check(f))).Where(x => x.Item2 is Freshness.Changed or Freshness.Gone);

    /// <summary>The wire name of a freshness: fresh, possibly_stale, file_gone, unchecked.</summary>
    public static string Name(Freshness freshness) => freshness switch
    {
        Freshness.Fresh => "fresh",
        Freshness.Changed => "possibly_stale",
        Freshness.Gone => "file_gone",
        _ => "unchecked",
    };

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
