using System.Text;
using System.Text.Json;
using Cryb.Bench.Load;
using Cryb.Bench.Load.Clients;

namespace Cryb.Tests.Bench;

/// <summary>What the lean clients read from a payload as received, without making strings.</summary>
public sealed class LeanClientParsingTests
{
    private const string Message =
        """{"id":"m1","channelId":"c42","seq":17,"authorId":"bench-x-u3","content":"bench s=3 k=9 xxxx t=123456","nonce":"n","replyToId":null,"createdAt":"2026-01-01T00:00:00+00:00","editedAt":null,"revisionSeq":17,"deleted":false,"mentions":["a"],"replyTo":{"id":"r","seq":1},"reactions":[{"emoji":"x","count":1}]}""";

    [Fact]
    public void A_message_gives_its_channel_seq_and_stamp_and_skips_the_rest()
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(Message));
        reader.Read();

        var fields = PayloadFields.Read(ref reader);

        Assert.Equal("c42", Encoding.UTF8.GetString(fields.ChannelId));
        Assert.Equal(17, fields.Seq);
        Assert.Equal(123_456, fields.IntendedMicros);
        Assert.False(fields.HasError);
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        // An acknowledged send keeps its seq and makes no string of the message id.
        Assert.Equal(new CallAnswer(17, null, null), fields.ToAnswer());
    }

    [Fact]
    public void A_channel_answer_keeps_its_id_and_a_refusal_its_text()
    {
        var channel = new Utf8JsonReader("""{"id":"c7","name":"n","isPrivate":false}"""u8);
        channel.Read();
        Assert.Equal(new CallAnswer(0, "c7", null), PayloadFields.Read(ref channel).ToAnswer());

        var refusal = new Utf8JsonReader("""{"error":"rate_limited: slow down"}"""u8);
        refusal.Read();
        Assert.Equal(new CallAnswer(0, null, "rate_limited: slow down"), PayloadFields.Read(ref refusal).ToAnswer());
        Assert.Equal("rate_limited", ErrorCounter.CodeOf(new CallRefusedException("rate_limited: slow down")));
        Assert.Equal("not_a_member", ErrorCounter.CodeOf(new CallRefusedException("An unexpected error occurred invoking 'SendMessage' on the server. HubException: not_a_member: join first")));
    }

    [Fact]
    public void A_join_answer_gives_its_latest_seq_and_the_seqs_of_what_was_missed()
    {
        var next = Message.Replace("\"seq\":17", "\"seq\":18", StringComparison.Ordinal);
        var join = new Utf8JsonReader(Encoding.UTF8.GetBytes(
            $$"""{"channel":{"id":"c42","name":"n"},"latestSeq":19,"missed":[{{Message}},{{next}}],"truncated":true}"""));
        join.Read();

        var answer = PayloadFields.Read(ref join).ToAnswer();

        Assert.Equal(19, answer.LatestSeq);
        Assert.Equal([17L, 18L], answer.Missed);
        Assert.True(answer.Truncated);
        Assert.Null(answer.Id);
    }

    [Fact]
    public void A_stamp_reads_the_same_from_bytes_as_from_text()
    {
        var content = MessageStamp.Format(sender: 2, k: 5, intendedMicros: 987_654_321, MessageStamp.Padding(10));

        Assert.Equal(987_654_321, MessageStamp.IntendedMicros(Encoding.UTF8.GetBytes(content)));
        Assert.Equal(-1, MessageStamp.IntendedMicros("hello t=-5"u8));
        Assert.Equal(-1, MessageStamp.IntendedMicros("hello t=12x"u8));
        Assert.Equal(-1, MessageStamp.IntendedMicros("hello"u8));
    }
}
