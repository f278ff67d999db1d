using System.ComponentModel.DataAnnotations;

namespace Cryb.Grains.Security;

/// <summary>
/// The service accounts allowed to call grains through the Orleans client (configuration section
/// <c>Security</c> on the silos), e.g. <c>Security__Services__gateway__Secret</c>. A client call
/// without a credential of one of them is refused: default deny.
/// </summary>
public sealed class ServiceAccountOptions : IValidatableObject
{
    public const string Section = "Security";
    public const int MinimumSecretLength = 32;

    /// <summary>Accounts by name: the gateways' account, and one per backend service or bot.</summary>
    public Dictionary<string, ServiceAccount> Services { get; set; } = new(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Services.Count == 0)
        {
            yield return new ValidationResult(
                "no service account is configured, so no gateway or service could call the cluster: set Security__Services__gateway__Secret (and ActAsUsers, Grants)",
                [nameof(Services)]);
        }

        foreach (var (name, account) in Services)
        {
            if (account.Secret.Length < MinimumSecretLength)
            {
                yield return new ValidationResult(
                    $"the secret of service account '{name}' must be at least {MinimumSecretLength} characters (Security__Services__{name}__Secret)",
                    [nameof(Services)]);
            }
        }
    }
}

/// <summary>One service account: its secret and what it may call.</summary>
public sealed class ServiceAccount
{
    /// <summary>Shared with the service through a secret store, never a file in the repository.</summary>
    public string Secret { get; set; } = "";

    /// <summary>
    /// May pass a user caller (<c>Caller.User(id, credential)</c>): only gateways, which authenticate
    /// users themselves, should. Other services act as themselves (<c>Caller.Service</c>).
    /// </summary>
    public bool ActAsUsers { get; set; }

    /// <summary>
    /// Grain methods this account may call, as <c>IChannelGrain.SendMessage</c>, <c>IChannelGrain.*</c>
    /// or <c>*</c>. The grain still authorizes the caller against its own state (membership, roles).
    /// </summary>
    public List<string> Grants { get; set; } = [];
}
