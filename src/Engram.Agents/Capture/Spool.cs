using System.Text;
using Engram.Core;

namespace Engram.Agents.Capture;

/// <summary>
/// The capture hook's durable write: one file per event in <c>$ENGRAM_HOME/spool</c>, named by a
/// ULID so files sort in arrival order. A file is written beside its final name and renamed into
/// place, so a reader never sees half an event, and parallel hooks never contend for a lock.
/// Events are raw here (the privacy filter is too slow for the hook's budget), so the folder and
/// files are readable by their owner only; the worker filters them as it moves them into the
/// store's queue, within seconds, and deletes them.
/// </summary>
public sealed class Spool(string folder, string? fallbackFolder = null)
{
    private const string Extension = ".event.json";
    private const string HeldExtension = ".held";

    /// <summary>A held file older than this was left by a hook that died before releasing it: the worker releases it.</summary>
    private static readonly TimeSpan HeldLimit = TimeSpan.FromMinutes(1);

    public string Folder { get; } = folder;

    /// <summary>
    /// Memory-backed folder used when the disk is full (null where there is none): events wait there, owner-only,
    /// until the worker moves them into the store. They survive a killed process, not a reboot.
    /// </summary>
    public string? FallbackFolder { get; } = fallbackFolder;

    /// <summary>The spool of an Engram home, with its memory-backed fallback.</summary>
    public static Spool ForHome(string homeRoot) => new(Path.Combine(homeRoot, "spool"), MemoryBacked.FolderFor(homeRoot, "spool"));

    /// <summary>
    /// Writes one captured event; returns its id (the file name without extension). When the disk is full the
    /// event goes to the memory-backed fallback and <paramref name="fellBack"/> hears why, for the log.
    /// </summary>
    /// <param name="held">Written under a name the worker does not read until <see cref="Release"/> (or until it is
    /// older than a minute, when the hook that held it has died): the native session-start hook holds its event while it
    /// waits for the ready context, so the worker records what the hook served when it processes the event.</param>
    public string Write(string agent, string eventName, ReadOnlySpan<byte> payload, DateTimeOffset capturedAt, Action<string>? fellBack = null, bool held = false)
    {
        var id = MemoryId.System.Next();
        try
        {
            WriteTo(Folder, id, agent, eventName, payload, capturedAt, held);
        }
        catch (IOException ex) when (FallbackFolder is not null && MemoryBacked.IsDiskFull(ex))
        {
            WriteTo(FallbackFolder, id, agent, eventName, payload, capturedAt, held);
            fellBack?.Invoke($"the disk is full ({ex.Message}); event {id} was kept in {FallbackFolder} until there is space");
        }
        return id;
    }

    /// <summary>Names the file <see cref="WakeWorker"/> creates (the worker removes it when it wakes).</summary>
    public const string WakePrefix = ".wake-";

    /// <summary>
    /// Asks a running worker to take in the spool now rather than at its next poll: a file the worker's watch on
    /// this folder notices at once (or its pause finds within 50 ms when it has no watch), and removes. Only a hook
    /// waiting for the worker asks (a session start whose ready context is behind): waking the worker for every event
    /// would have it work in the middle of the agent's session, on the same cores, once per event instead of once per poll.
    /// </summary>
    public void WakeWorker()
    {
        var path = Path.Combine(Folder, WakePrefix + Environment.ProcessId);
        try
        {
            using (new FileStream(path, FileMode.Create, FileAccess.Write)) { }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The worker finds the events at its next poll.
        }
    }

    /// <summary>Hands a held event to the worker (see <see cref="Write"/>); false when it is not held (any more).</summary>
    public bool Release(string id)
    {
        foreach (var folder in new[] { Folder, FallbackFolder })
        {
            if (folder is null) continue;
            try
            {
                File.Move(HeldPath(folder, id), Path.Combine(folder, id + Extension));
                return true;
            }
            catch (FileNotFoundException)
            {
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
        return false;
    }

    private static string HeldPath(string folder, string id) => Path.Combine(folder, "." + id + HeldExtension);

    private static void WriteTo(string folder, string id, string agent, string eventName, ReadOnlySpan<byte> payload, DateTimeOffset capturedAt, bool held)
    {
        if (!Directory.Exists(folder)) OwnerOnly.CreateDirectory(folder);
        var final = held ? HeldPath(folder, id) : Path.Combine(folder, id + Extension);
        var temp = Path.Combine(folder, "." + id + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 16 * 1024 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        // The envelope is written as bytes: its fields are an id, fixed names and a time, none of which
        // need escaping, and this keeps the JSON library out of the hook's start-up.
        var head = Encoding.UTF8.GetBytes(
            $"{{\"v\":1,\"id\":\"{id}\",\"agent\":\"{Plain(agent)}\",\"event\":\"{Plain(eventName)}\",\"captured_at\":\"{capturedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"payload\":");
        try
        {
            using (var file = new FileStream(temp, options))
            {
                file.Write(head);
                file.Write(payload);
                file.WriteByte((byte)'}');
                // Handed to the operating system: safe from a killed hook or worker. Not forced to disk
                // (an fsync costs more than the rest of the hook), so a power cut can lose the last events.
                file.Flush(flushToDisk: false);
            }
            File.Move(temp, final);
        }
        catch (IOException)
        {
            // A half-written event (a full disk) must not stay behind.
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }
            throw;
        }
    }

    private static string Plain(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? name : throw new ArgumentException($"'{name}' is not a plain name", nameof(name));

    /// <summary>Spooled events, oldest first.</summary>
    public IEnumerable<SpooledEvent> Read() => FallbackFolder is null ? ReadFolder(Folder) : ReadFolder(Folder).Concat(ReadFolder(FallbackFolder));

    /// <summary>
    /// Raw events that versions before 0.9 set aside in <c>spool/rejected</c>: read once more so the worker
    /// can quarantine them redacted in the queue and delete the raw files.
    /// </summary>
    public IEnumerable<SpooledEvent> ReadRejected() => ReadFolder(Path.Combine(Folder, "rejected"));

    private static IEnumerable<SpooledEvent> ReadFolder(string folder)
    {
        if (!Directory.Exists(folder)) yield break;
        foreach (var path in Directory.EnumerateFiles(folder, "*" + Extension).Order(StringComparer.Ordinal))
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (FileNotFoundException)
            {
                continue; // another drainer took it
            }
            yield return new SpooledEvent(path, Path.GetFileName(path)[..^Extension.Length], bytes);
        }
    }

    /// <summary>Removes a spool file once its event is safely in the queue.</summary>
    public static void Delete(SpooledEvent spooled)
    {
        try
        {
            File.Delete(spooled.Path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Number of events waiting in the spool.</summary>
    public int Count() => CountIn(Folder) + FallbackCount();

    /// <summary>Events waiting in the memory-backed fallback (written while the disk was full).</summary>
    public int FallbackCount() => FallbackFolder is null ? 0 : CountIn(FallbackFolder);

    private static int CountIn(string folder) => Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*" + Extension).Count() : 0;

    /// <summary>
    /// Temp files older than an hour are leftovers of killed hooks; held events older than a minute were held by a hook
    /// that died while waiting, and are released so they are processed after all.
    /// </summary>
    public void CleanLeftovers(DateTimeOffset now)
    {
        if (!Directory.Exists(Folder)) return;
        foreach (var temp in Directory.EnumerateFiles(Folder, ".*.tmp"))
        {
            if (now - File.GetLastWriteTimeUtc(temp) > TimeSpan.FromHours(1)) File.Delete(temp);
        }
        foreach (var folder in new[] { Folder, FallbackFolder })
        {
            if (folder is null || !Directory.Exists(folder)) continue;
            foreach (var held in Directory.EnumerateFiles(folder, ".*" + HeldExtension))
            {
                if (now - File.GetLastWriteTimeUtc(held) > HeldLimit) Release(Path.GetFileName(held)[1..^HeldExtension.Length]);
            }
        }
    }
}

/// <summary>One spooled event file: its path, id and bytes (the envelope JSON).</summary>
public sealed record SpooledEvent(string Path, string Id, byte[] Bytes)
{
    public override string ToString() => Encoding.UTF8.GetString(Bytes);
}
