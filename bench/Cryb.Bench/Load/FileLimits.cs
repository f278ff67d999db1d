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

    /// <summary>
    /// Refuses a run that would hold more connections than this process may open files: each is
    /// a socket, and the connects past the limit would fail as if the server had refused them.
    /// The gateways run under the same limit when <c>./cryb</c> starts them.
    /// </summary>
    public static void RequireRoomFor(int connections, string what)
    {
        // Beside the connections: the runtime's own files, token and metrics requests, /proc reads.
        const int Spare = 200;
        if (int.TryParse(OpenFiles(), out var limit) && connections + Spare > limit)
        {
            throw new Cli.UsageException(
                $"{what} needs {connections} connections, beyond this machine's open-files limit of {limit} (ulimit -Hn) with {Spare} to spare: raise the limit (root with CAP_SYS_RESOURCE, or the container's ulimits) or ask for fewer.");
        }
    }
}
