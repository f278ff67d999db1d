using System.Security.Cryptography;
using System.Text;
using Cryb.Identity;
using Microsoft.Extensions.Options;

namespace Cryb.Grains.Security;

/// <summary>Checks service credentials and grants against <see cref="ServiceAccountOptions"/>.</summary>
public sealed class ServiceAccounts(IOptions<ServiceAccountOptions> options)
{
    private readonly Dictionary<string, (byte[] SecretHash, ServiceAccount Account)> _accounts =
        options.Value.Services.ToDictionary(pair => pair.Key, pair => (Hash(pair.Value.Secret), pair.Value), StringComparer.Ordinal);

    /// <summary>The account if the credential's secret is its secret; compared in constant time.</summary>
    public ServiceAccount? Verify(ServiceCredential credential)
    {
        return credential.Name is { } name && credential.Secret is { } secret
            && _accounts.TryGetValue(name, out var known)
            && CryptographicOperations.FixedTimeEquals(known.SecretHash, Hash(secret))
                ? known.Account
                : null;
    }

    /// <summary>Whether <paramref name="account"/> may call <c>{interfaceName}.{methodName}</c>.</summary>
    public static bool Allows(ServiceAccount account, string interfaceName, string methodName) =>
        account.Grants.Any(grant =>
            grant == "*"
            || grant == $"{interfaceName}.*"
            || grant == $"{interfaceName}.{methodName}");

    // Hashing first makes both sides the same length, so FixedTimeEquals leaks nothing about the length either.
    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
