using System.Globalization;

namespace Cryb.Bench.Measurement;

/// <summary>
/// The fields of a <c>/proc/&lt;pid&gt;/stat</c> line the bench reads: parent pid and CPU time in
/// clock ticks (own user and system time, and that of reaped children).
/// </summary>
public readonly record struct ProcStat(int Pid, int ParentPid, long UserTicks, long SystemTicks, long ChildUserTicks, long ChildSystemTicks)
{
    /// <summary>
    /// Ticks per second of the times in <c>/proc</c> (USER_HZ). The kernel fixes it at 100 for
    /// user space on every architecture .NET runs on, whatever its internal HZ.
    /// </summary>
    public const double TicksPerSecond = 100;

    /// <summary>Own CPU time plus that of children this process reaped.</summary>
    public long TotalTicks => UserTicks + SystemTicks + ChildUserTicks + ChildSystemTicks;

    /// <summary>
    /// Parses a stat line. The command name (field 2) is in parentheses and may itself hold spaces
    /// and parentheses, so fields are counted from the last ')'.
    /// </summary>
    public static ProcStat Parse(string line)
    {
        var open = line.IndexOf('(');
        var close = line.LastIndexOf(')');
        if (open < 1 || close < open)
        {
            throw new FormatException($"Not a /proc stat line: {line}");
        }

        var pid = int.Parse(line.AsSpan(0, open).Trim(), CultureInfo.InvariantCulture);
        // After ')': field 3 (state) is rest[0], so field n is rest[n - 3].
        var rest = line[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int n) => long.Parse(rest[n - 3], CultureInfo.InvariantCulture);
        return new ProcStat(pid, (int)Field(4), Field(14), Field(15), Field(16), Field(17));
    }

    /// <summary>The stat of a live process, or null when it is gone.</summary>
    public static ProcStat? Read(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Every process's stat, for walking process trees.</summary>
    public static IReadOnlyList<ProcStat> ReadAll()
    {
        var all = new List<ProcStat>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } stat)
            {
                all.Add(stat);
            }
        }

        return all;
    }
}
