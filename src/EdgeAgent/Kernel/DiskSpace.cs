namespace EdgeAgent.Kernel;

/// <summary>Telling a full disk from other I/O failures, and how much room a directory's volume has left.</summary>
public static class DiskSpace
{
    private const int Enospc = 28;
    private const int Edquot = 122;

    /// <summary>An I/O failure because the volume (or the user's quota) is full.</summary>
    public static bool IsFull(Exception e) => e switch
    {
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode is 13 /* SQLITE_FULL */ or 10 /* SQLITE_IOERR: a write or the shm map failed */,
        IOException io => io.HResult is Enospc or Edquot
            || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
            || io.Message.Contains("disk was full", StringComparison.OrdinalIgnoreCase)
            || io.Message.Contains("quota", StringComparison.OrdinalIgnoreCase),
        _ => e.InnerException is { } inner && IsFull(inner),
    };

    /// <summary>Free bytes on the volume of <paramref name="directory"/> (or of its nearest existing parent); null when unreadable.</summary>
    public static long? Free(string directory)
    {
        try
        {
            var dir = directory;
            while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent) dir = parent;
            return new DriveInfo(dir).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
