using System.Buffers.Text;
using System.Security.Cryptography;

namespace Cryb.Testing.WebPush;

/// <summary>A VAPID key pair (P-256, base64url) and the silo settings that use it: what `./cryb up` and the fault suite give their silos.</summary>
public sealed record VapidPair(string PublicKey, string PrivateKey)
{
    /// <summary>The contact push services see for a cluster on this machine.</summary>
    public const string DevelopmentSubject = "mailto:dev@cryb.localhost";

    public static VapidPair Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return new VapidPair(Base64Url.EncodeToString([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]), Base64Url.EncodeToString(parameters.D!));
    }

    /// <summary>The pair kept in <paramref name="path"/> (public key, then private key, a line each), made there on first use.</summary>
    public static VapidPair Kept(string path)
    {
        if (File.Exists(path) && File.ReadAllLines(path) is [{ Length: > 0 } publicKey, { Length: > 0 } privateKey, ..])
        {
            return new VapidPair(publicKey.Trim(), privateKey.Trim());
        }

        var pair = Generate();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllLines(path, [pair.PublicKey, pair.PrivateKey]);
        return pair;
    }

    /// <summary>The silos' <c>Push</c> settings as environment variables.</summary>
    public Dictionary<string, string> SiloSettings(string subject = DevelopmentSubject) => new()
    {
        ["Push__Subject"] = subject,
        ["Push__PublicKey"] = PublicKey,
        ["Push__PrivateKey"] = PrivateKey,
    };
}
