namespace Cryb.Silo.Dashboard;

/// <summary>
/// Who may open the Orleans dashboard, and what it costs the silo (configuration section
/// <c>Dashboard</c>). Outside Development the credentials are required and the silo refuses to
/// start without them: the dashboard shows every grain and silo of the cluster.
/// </summary>
public sealed class DashboardSettings
{
    public const string Section = "Dashboard";

    public string Username { get; set; } = "";

    /// <summary>Set it through a secret (environment variable <c>Dashboard__Password</c>), never in a file.</summary>
    public string Password { get; set; } = "";

    /// <summary>
    /// Whether the dashboard's grain profiler wraps every grain call: it times each one for the
    /// dashboard's per-method charts while someone has the dashboard open, and costs a filter on every
    /// call even when nobody does. Off, the dashboard still shows silos, activations and grain types,
    /// and <c>/metrics</c> keeps Orleans' own call latency. Default: on in Development, off elsewhere.
    /// </summary>
    public bool? GrainProfiler { get; set; }

    public bool GrainProfilerOn(IHostEnvironment environment) => GrainProfiler ?? environment.IsDevelopment();
}
