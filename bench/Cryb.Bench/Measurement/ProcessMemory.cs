using System.Globalization;

namespace Cryb.Bench.Measurement;

/// <summary>Resident memory of one process, from the <c>VmRSS</c> line of <c>/proc/&lt;pid&gt;/status</c>.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size in KB, or null when the process is gone.</summary>
    public static long? ResidentKilobytes(int pid)
    {
        try
        {
            return ParseResidentKilobytes(File.ReadAllText($"/proc/{pid}/status"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The <c>VmRSS:  12345 kB</c> value of a status file's text.</summary>
    public static long? ParseResidentKilobytes(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var value = line["VmRSS:".Length..].Trim();
                return long.Parse(value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
