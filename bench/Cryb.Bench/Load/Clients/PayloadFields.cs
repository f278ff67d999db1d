using System.Text.Json;

namespace Cryb.Bench.Load.Clients;

/// <summary>
/// The few fields the bench reads from a payload object (a message, a channel, a join, a refusal),
/// as views into the received bytes: <c>channelId</c>, <c>seq</c>, <c>id</c>, <c>error</c>, the
/// intended send time stamped in <c>content</c>, and a join's <c>latestSeq</c>, <c>truncated</c>
/// and the seqs of its <c>missed</c> messages. Everything else, nested objects included, is
/// skipped unread; nothing is allocated but the missed seqs of a join.
/// </summary>
public ref struct PayloadFields
{
    public ReadOnlySpan<byte> ChannelId;
    public long Seq;
    public ReadOnlySpan<byte> Id;
    public ReadOnlySpan<byte> Error;
    public bool HasError;
    public long IntendedMicros;
    public long LatestSeq;
    public bool Truncated;
    public List<long>? Missed;

    /// <summary>Reads the object <paramref name="reader"/> is on (its <c>StartObject</c>), leaving the reader on its <c>EndObject</c>.</summary>
    public static PayloadFields Read(scoped ref Utf8JsonReader reader)
    {
        var fields = new PayloadFields { IntendedMicros = -1 };
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return fields;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("channelId"u8))
            {
                reader.Read();
                fields.ChannelId = Text(ref reader);
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                fields.Seq = reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : 0;
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                fields.IntendedMicros = MessageStamp.IntendedMicros(Text(ref reader));
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                fields.Id = Text(ref reader);
            }
            else if (reader.ValueTextEquals("latestSeq"u8))
            {
                reader.Read();
                fields.LatestSeq = reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : 0;
            }
            else if (reader.ValueTextEquals("truncated"u8))
            {
                reader.Read();
                fields.Truncated = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("missed"u8))
            {
                reader.Read();
                fields.Missed = ReadSeqs(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                fields.HasError = reader.TokenType != JsonTokenType.Null;
                fields.Error = Text(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return fields;
    }

    /// <summary>
    /// The answer of a call whose result this is. Only a channel's id is kept: a channel has no
    /// <c>channelId</c>, and a message's own id is not needed, so an acknowledged send makes no string.
    /// </summary>
    public readonly CallAnswer ToAnswer() => HasError
        ? new CallAnswer(0, null, System.Text.Encoding.UTF8.GetString(Error))
        : new CallAnswer(Seq, ChannelId.IsEmpty && !Id.IsEmpty ? System.Text.Encoding.UTF8.GetString(Id) : null, null, LatestSeq, Missed, Truncated);

    /// <summary>The <c>seq</c> of each message object of the array the reader is on, leaving the reader on its end.</summary>
    private static List<long> ReadSeqs(scoped ref Utf8JsonReader reader)
    {
        var seqs = new List<long>();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return seqs;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            seqs.Add(Read(ref reader).Seq);
        }

        return seqs;
    }

    /// <summary>
    /// A string token's bytes. Ids and bench stamps are plain ASCII, so they arrive unescaped; an
    /// escaped string (some other client's content) is unescaped into a copy, which is rare.
    /// </summary>
    public static ReadOnlySpan<byte> Text(scoped ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return default;
        }

        return reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
    }
}
