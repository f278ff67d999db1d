using System.ComponentModel.DataAnnotations;

namespace Cryb.Hosting;

/// <summary>
/// Which Orleans cluster a silo or gateway belongs to (configuration section <c>Cluster</c>).
/// Silos and gateways of one deployment must agree on both ids.
/// </summary>
public sealed class ClusterSettings
{
    public const string Section = "Cluster";

    /// <summary>Names this deployment's membership table in Redis; change it for a side-by-side cluster.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_.-]+$")]
    public string ClusterId { get; set; } = "cryb";

    /// <summary>Names the service in grain storage: keep it across deployments or state is not found.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_.-]+$")]
    public string ServiceId { get; set; } = "cryb";
}
