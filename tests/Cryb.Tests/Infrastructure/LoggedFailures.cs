namespace Cryb.Tests.Infrastructure;

/// <summary>
/// The error and critical entries of a silo's or gateway's log (the console format of the
/// Development environment the tests run them in: <c>fail: Category[event]</c>, then the message
/// and any exception on the lines below), and any line that reports an unhandled exception.
/// </summary>
public static class LoggedFailures
{
    /// <summary>Each entry with the lines that follow it, up to the next entry.</summary>
    public static IReadOnlyList<string> In(ClusterProcess process)
    {
        var lines = process.LogTail(int.MaxValue).Split('\n');
        var entries = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (IsFailure(lines[i]))
            {
                var end = i + 1;
                while (end < lines.Length && end - i < 12 && !IsEntryStart(lines[end]))
                {
                    end++;
                }

                entries.Add($"{process.Name}: {string.Join('\n', lines[i..end])}");
            }
        }

        return entries;
    }

    private static bool IsFailure(string line) =>
        line.StartsWith("fail: ", StringComparison.Ordinal)
        || line.StartsWith("crit: ", StringComparison.Ordinal)
        || line.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase);

    private static bool IsEntryStart(string line) => line.Length > 6 && line[4] == ':' && line[5] == ' ' && !char.IsWhiteSpace(line[0]);
}
