namespace Cryb.Silo.Dashboard;

/// <summary>
/// Who may open the Orleans dashboard (configuration section <c>Dashboard</c>). Outside Development
/// both are required and the silo refuses to start without them: the dashboard shows every grain
/// and silo of the cluster.
/// </summary>
public sealed class DashboardSettings
{
    public const string Section = "Dashboard";

    public string Username { get; set; } = "";

    /// <summary>Set it through a secret (environment variable <c>Dashboard__Password</c>), never in a file.</summary>
    public string Password { get; set; } = "";
}
