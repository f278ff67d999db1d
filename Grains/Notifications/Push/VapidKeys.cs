using System.Buffers.Text;
using System.Security.Cryptography;

namespace Cryb.Grains.Notifications.Push;

/// <summary>The cluster's VAPID key pair (RFC 8292): P-256, both halves base64url as browsers and push libraries spell them.</summary>
public static class VapidKeys
{
    /// <summary>An uncompressed P-256 point: 0x04, then X and Y of 32 bytes each.</summary>
    public const int PublicKeyLength = 65;

    public const int PrivateKeyLength = 32;

    /// <summary>
    /// What is wrong with the pair, naming the setting (<c>PublicKey</c> or <c>PrivateKey</c>); null
    /// when the private key is a P-256 scalar whose public point is the public key.
    /// </summary>
    public static (string Setting, string Message)? Problem(string? publicKey, string? privateKey)
    {
        if (Decode(publicKey) is not { Length: PublicKeyLength } point || point[0] != 0x04)
        {
            return ("PublicKey", "must be the VAPID public key: an uncompressed P-256 point (65 bytes, starting 0x04), base64url");
        }

        if (Decode(privateKey) is not { Length: PrivateKeyLength } scalar)
        {
            return ("PrivateKey", "must be the VAPID private key: a P-256 private key (32 bytes), base64url");
        }

        try
        {
            // Imported without its public point, the key computes it: it must be the configured one.
            using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = scalar });
            var derived = key.ExportParameters(includePrivateParameters: false).Q;
            if (!derived.X!.AsSpan().SequenceEqual(point.AsSpan(1, 32)) || !derived.Y!.AsSpan().SequenceEqual(point.AsSpan(33, 32)))
            {
                return ("PrivateKey", "is not the private half of Push:PublicKey: the two keys must be one pair");
            }
        }
        catch (CryptographicException)
        {
            return ("PrivateKey", "is not a valid P-256 private key");
        }

        return null;
    }

    private static byte[]? Decode(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(value.Trim().TrimEnd('='));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
