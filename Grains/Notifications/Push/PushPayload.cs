using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cryb.Notifications;

namespace Cryb.Grains.Notifications.Push;

/// <summary>What a push carries and how it is labelled for the push service.</summary>
public static class PushPayload
{
    /// <summary>
    /// The gateways' JSON protocol: camelCase names, enums as camelCase strings, so a service worker
    /// reads the same <c>Notification</c> as the page's <c>NotificationCreated</c>.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Longest topic RFC 8030 allows (base64url characters).</summary>
    public const int TopicLength = 32;

    public static string Serialize(Notification notification) => JsonSerializer.Serialize(notification, Json);

    /// <summary>
    /// The push's <c>Topic</c>: a push service keeps only the newest undelivered push of a topic, so
    /// a device that was off gets one per channel, not a backlog. A hash, since a topic is at most
    /// 32 base64url characters whatever the id; notifications of no channel (friend requests)
    /// collapse per kind.
    /// </summary>
    public static string TopicOf(Notification notification)
    {
        var scope = notification.ChannelId is { } channelId ? $"channel:{channelId}" : $"kind:{notification.Kind}";
        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(scope)))
            .Replace('+', '-').Replace('/', '_')[..TopicLength];
    }
}
