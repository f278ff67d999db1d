using System.ComponentModel.DataAnnotations;
using Cryb.Identity;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// The service account this gateway presents to the silos (configuration section <c>Security</c>),
/// which must match one of the silos' <c>Security:Services</c> with <c>ActAsUsers</c> set.
/// </summary>
public sealed class GatewayAccountSettings
{
    public const string Section = "Security";

    [Required, RegularExpression("^[A-Za-z0-9_.-]{1,64}$")]
    public string ServiceName { get; set; } = "gateway";

    /// <summary>Set through a secret (environment variable <c>Security__ServiceSecret</c>), never in a file.</summary>
    [Required(ErrorMessage = "must be set (environment variable Security__ServiceSecret), the same as the silos' Security__Services__<name>__Secret")]
    [MinLength(32, ErrorMessage = "must be at least 32 characters (environment variable Security__ServiceSecret)")]
    public string ServiceSecret { get; set; } = "";

    public ServiceCredential Credential => new(ServiceName, ServiceSecret);
}
