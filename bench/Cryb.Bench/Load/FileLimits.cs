namespace Cryb.Bench.Load;

/// <summary>
/// The open-files limit, which caps connections: each is a socket. The .NET runtime raises its
/// soft limit to the hard one at start, so the hard limit (<c>ulimit -Hn</c>) is what counts.
/// </summary>
public static class FileLimits
{
    /// <summary>The soft "Max open files" of this process, as <c>/proc/self/limits</c> shows it.</summary>
    public static string OpenFiles()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            return line?["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0] ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
