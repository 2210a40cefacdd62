namespace Engram.Cli;

/// <summary>
/// Readable reasons for file errors. The tool is built with UseSystemResourceKeys, so the runtime's
/// own messages are resource keys ("IO_PathNotFound_Path, /x"): say what happened in words instead.
/// </summary>
internal static class IoErrors
{
    private const int DiskFull = 28, QuotaExceeded = 122; // ENOSPC, EDQUOT

    /// <summary>The reason, after the path the runtime named when there is one: "/x/y: its folder does not exist".</summary>
    public static string DescribeWithPath(Exception ex)
    {
        var at = ex.Message.IndexOf(", /", StringComparison.Ordinal);
        return at < 0 ? Describe(ex) : $"{ex.Message[(at + 2)..]}: {Describe(ex)}";
    }

    public static string Describe(Exception ex) => ex switch
    {
        DirectoryNotFoundException => "its folder does not exist",
        FileNotFoundException => "no such file",
        PathTooLongException => "the path is too long",
        UnauthorizedAccessException => "permission denied",
        IOException io when (io.HResult & 0xFFFF) is DiskFull or QuotaExceeded => "the disk is full",
        _ => ex.Message,
    };
}
