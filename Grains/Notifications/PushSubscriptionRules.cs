using System.Buffers.Text;
using Cryb.Errors;
using Cryb.Notifications;

namespace Cryb.Grains.Notifications;

/// <summary>What a Web Push subscription must be before it is stored: pushes to anything else would fail, or go where they should not.</summary>
public static class PushSubscriptionRules
{
    /// <summary>Endpoints longer than this are refused: browsers' are a few hundred characters.</summary>
    public const int MaxEndpointLength = 1024;

    /// <summary>
    /// The subscription, checked: an https endpoint (http only on loopback, for tests and
    /// development), an uncompressed P-256 public key (65 bytes) and a 16-byte auth secret, both base64url.
    /// </summary>
    public static PushSubscription Validate(PushSubscription? subscription)
    {
        if (subscription is null
            || subscription.Endpoint is not { Length: > 0 and <= MaxEndpointLength } endpoint
            || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "The endpoint is the push service's https URL.");
        }

        if (DecodedLength(subscription.P256dh) != 65 || DecodedLength(subscription.Auth) != 16)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "p256dh is a P-256 public key (65 bytes) and auth a 16-byte secret, both base64url.");
        }

        return subscription;
    }

    private static int DecodedLength(string? base64Url)
    {
        if (string.IsNullOrEmpty(base64Url) || base64Url.Length > 200)
        {
            return -1;
        }

        try
        {
            return Base64Url.DecodeFromChars(base64Url.TrimEnd('=')).Length;
        }
        catch (FormatException)
        {
            return -1;
        }
    }
}
