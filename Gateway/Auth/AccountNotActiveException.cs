using Cryb.Users;

namespace Cryb.Gateway.Auth;

/// <summary>A genuine, current token for an account that was banned or deleted: refused with 401.</summary>
public sealed class AccountNotActiveException(AccountStanding standing)
    : Exception($"The account is {standing.ToString().ToLowerInvariant()}.")
{
    public AccountStanding Standing { get; } = standing;
}
