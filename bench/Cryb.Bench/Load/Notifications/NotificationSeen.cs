using System.Text.Json;
using Cryb.Bench.Load.Clients;

namespace Cryb.Bench.Load.Notifications;

/// <summary>The fields of a <c>Notification</c> the <c>notifications</c> scenario checks; the rest of the payload is skipped.</summary>
public sealed record NotificationSeen(long Seq, string Kind, string ActorId, string? ChannelId, string? MessageId, string? Excerpt)
{
    /// <summary>Reads the notification object <paramref name="reader"/> is on, as the lean client receives it, leaving the reader on its end.</summary>
    public static NotificationSeen Read(scoped ref Utf8JsonReader reader)
    {
        long seq = 0;
        string kind = "", actorId = "";
        string? channelId = null, messageId = null, excerpt = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new(seq, kind, actorId, channelId, messageId, excerpt);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                seq = reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : 0;
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                reader.Read();
                kind = reader.GetString() ?? "";
            }
            else if (reader.ValueTextEquals("actorId"u8))
            {
                reader.Read();
                actorId = reader.GetString() ?? "";
            }
            else if (reader.ValueTextEquals("channelId"u8))
            {
                reader.Read();
                channelId = reader.GetString();
            }
            else if (reader.ValueTextEquals("messageId"u8))
            {
                reader.Read();
                messageId = reader.GetString();
            }
            else if (reader.ValueTextEquals("excerpt"u8))
            {
                reader.Read();
                excerpt = reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new(seq, kind, actorId, channelId, messageId, excerpt);
    }
}
