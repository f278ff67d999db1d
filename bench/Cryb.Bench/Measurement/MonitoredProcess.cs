using System.Globalization;

namespace Cryb.Bench.Measurement;

/// <summary>A cluster process the bench measures, named on the command line as <c>--process name=pid</c>.</summary>
/// <param name="Name">What the reports call it; a name starting with <c>gateway</c> or <c>silo</c> also counts it in that group.</param>
/// <param name="WithDescendants">Count the CPU time of its child processes too (a PostgreSQL postmaster's backends).</param>
public sealed record MonitoredProcess(string Name, int Pid, bool WithDescendants = true)
{
    /// <summary>
    /// The generator itself, always measured, on its own: hosted by a test run, its children are
    /// the very cluster it loads.
    /// </summary>
    public static MonitoredProcess Generator { get; } = new("bench", Environment.ProcessId, WithDescendants: false);

    public bool IsGateway => IsGatewayName(Name);

    /// <summary>Whether a process of this name (a <c>--process</c> or <c>--metrics</c> name) is a gateway.</summary>
    public static bool IsGatewayName(string name) => name.StartsWith("gateway", StringComparison.OrdinalIgnoreCase);

    public bool IsSilo => Name.StartsWith("silo", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <c>name=pid</c>.</summary>
    public static MonitoredProcess Parse(string text)
    {
        var equals = text.IndexOf('=');
        if (equals < 1 || !int.TryParse(text.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            throw new ArgumentException($"--process wants name=pid, got '{text}'.");
        }

        return new MonitoredProcess(text[..equals], pid);
    }
}
