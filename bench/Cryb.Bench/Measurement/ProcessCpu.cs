namespace Cryb.Bench.Measurement;

/// <summary>
/// CPU time of a process and all its descendants, so that <c>postgres=&lt;postmaster pid&gt;</c>
/// also counts every backend. Each live process in the tree contributes its own time and that of
/// the children it already reaped (<c>cutime</c>/<c>cstime</c>): a backend that exits during the
/// window moves from "live descendant" into its parent's reaped-children time, so the total only
/// grows and a difference of two readings is the tree's CPU time in between.
/// </summary>
public static class ProcessCpu
{
    /// <summary>CPU seconds of one process alone (its own user and system time), or 0 when it is gone.</summary>
    public static double OwnSeconds(int pid, IReadOnlyList<ProcStat> table) =>
        table.FirstOrDefault(stat => stat.Pid == pid) is { Pid: > 0 } stat ? (stat.UserTicks + stat.SystemTicks) / ProcStat.TicksPerSecond : 0;

    /// <summary>CPU seconds of the tree rooted at <paramref name="rootPid"/> in the given process table; 0 when the root is gone.</summary>
    public static double TreeSeconds(int rootPid, IReadOnlyList<ProcStat> table)
    {
        var children = new Dictionary<int, List<ProcStat>>();
        ProcStat? root = null;
        foreach (var stat in table)
        {
            if (stat.Pid == rootPid)
            {
                root = stat;
            }

            if (!children.TryGetValue(stat.ParentPid, out var list))
            {
                children[stat.ParentPid] = list = [];
            }

            list.Add(stat);
        }

        if (root is null)
        {
            return 0;
        }

        long ticks = 0;
        var pending = new Stack<ProcStat>();
        pending.Push(root.Value);
        while (pending.TryPop(out var process))
        {
            ticks += process.TotalTicks;
            if (children.TryGetValue(process.Pid, out var list))
            {
                foreach (var child in list)
                {
                    pending.Push(child);
                }
            }
        }

        return ticks / ProcStat.TicksPerSecond;
    }
}
