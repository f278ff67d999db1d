using System.Globalization;

namespace Cryb.Bench.Measurement;

/// <summary>
/// Resident memory of one process and what it is made of, from <c>/proc/&lt;pid&gt;/status</c>:
/// anonymous pages (heaps: the .NET GC's and native ones), mapped files (assemblies, libraries)
/// and shared memory (for .NET, the JIT's code, which the runtime maps twice).
/// </summary>
/// <param name="ResidentKb"><c>VmRSS</c>: the three parts together.</param>
public sealed record ResidentMemory(long ResidentKb, long AnonymousKb, long FileKb, long SharedKb)
{
    public const string ResidentField = "VmRSS";

    /// <summary>The parts of the process's resident memory, or null when the process is gone.</summary>
    public static ResidentMemory? Of(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/status"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The <c>VmRSS</c>, <c>RssAnon</c>, <c>RssFile</c> and <c>RssShmem</c> lines of a status file (kB); null without <c>VmRSS</c>.</summary>
    public static ResidentMemory? Parse(string status)
    {
        var fields = status.Split('\n')
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]);
        return fields.ContainsKey(ResidentField)
            ? new ResidentMemory(Kilobytes(fields, ResidentField), Kilobytes(fields, "RssAnon"), Kilobytes(fields, "RssFile"), Kilobytes(fields, "RssShmem"))
            : null;
    }

    private static long Kilobytes(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value)
            ? long.Parse(value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture)
            : 0;
}
