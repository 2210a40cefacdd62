using System.Text;

namespace Engram.Testing;

/// <summary>
/// Looks for secrets in the bytes of files as they lie on disk: the database with its WAL and shared
/// memory files, spool and rejected files, logs, export files. What counts is what a thief would read.
/// </summary>
public static class StoredSecrets
{
    /// <summary>Every file under the folders and every extra file, read while others may still write.</summary>
    public static IReadOnlyList<(string Path, byte[] Bytes)> ReadFiles(IEnumerable<string> folders, params string[] extraFiles)
    {
        var files = new List<(string, byte[])>();
        foreach (var path in folders.Where(Directory.Exists).SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories)).Concat(extraFiles))
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                files.Add((path, copy.ToArray()));
            }
            catch (FileNotFoundException)
            {
            }
        }
        return files;
    }

    /// <summary>
    /// The secrets found, with the file each was found in. A secret is looked for as UTF-8 and, since
    /// JSON writers escape some characters (+ becomes \u002B), in its JSON-escaped form too.
    /// </summary>
    public static IReadOnlyList<string> Find(IReadOnlyList<(string Path, byte[] Bytes)> files, IEnumerable<string> secrets)
    {
        var leaks = new List<string>();
        foreach (var secret in secrets.Distinct(StringComparer.Ordinal))
        {
            var forms = new[] { secret, System.Text.Json.JsonSerializer.Serialize(secret)[1..^1] }.Distinct(StringComparer.Ordinal).Select(Encoding.UTF8.GetBytes).ToList();
            foreach (var (path, bytes) in files)
            {
                if (forms.Any(form => bytes.AsSpan().IndexOf(form) >= 0))
                {
                    leaks.Add($"{secret} in {System.IO.Path.GetFileName(path)}");
                    break;
                }
            }
        }
        return leaks;
    }

    /// <summary>Fails with every leak listed when any secret of the corpus is found; returns the number of secrets checked.</summary>
    public static int AssertNoneIn(IReadOnlyList<(string Path, byte[] Bytes)> files, IEnumerable<string> secrets)
    {
        var list = secrets.ToList();
        Assert.NotEmpty(files);
        var leaks = Find(files, list);
        Assert.True(leaks.Count == 0, $"{leaks.Count} of {list.Count} secrets were found on disk:\n" + string.Join('\n', leaks));
        return list.Count;
    }

    /// <summary>The corpus secrets, and the parts of them long enough to be unmistakable, to look for on disk.</summary>
    public static IEnumerable<string> CorpusSecrets() => SecretCorpus.Samples.Select(s => s.Secret);
}
