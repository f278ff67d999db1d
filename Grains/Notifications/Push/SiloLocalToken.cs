using System.Security.Cryptography;

namespace Cryb.Grains.Notifications.Push;

/// <summary>
/// A secret that never leaves the silo's process: code running in the silo passes it to the silo's
/// own stateless workers, which are always activated on the silo that calls them, and they refuse
/// a call that does not carry it. A hosted service's grain calls look like a client's to the
/// <see cref="Security.CallerAuthorizationFilter"/>, so a worker interface it needs, declared
/// outside the contracts, would otherwise answer any Orleans client that names it.
/// </summary>
public sealed class SiloLocalToken
{
    private readonly byte[] _value = RandomNumberGenerator.GetBytes(32);

    /// <summary>What to pass; a copy, so no caller can change the silo's own.</summary>
    public byte[] Value => (byte[])_value.Clone();

    /// <summary>Whether <paramref name="presented"/> is this silo's token, compared in constant time.</summary>
    public bool Verifies(byte[]? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(presented, _value);
}
