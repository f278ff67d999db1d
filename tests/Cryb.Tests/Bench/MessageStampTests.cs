using Cryb.Bench.Load;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Tests.Bench;

/// <summary>The small parsers the load path depends on: message stamps and refusal codes.</summary>
public sealed class MessageStampTests
{
    [Fact]
    public void A_stamp_carries_its_intended_time_through_any_padding()
    {
        var content = MessageStamp.Format(sender: 7, k: 42, intendedMicros: 123_456_789, MessageStamp.Padding(30));

        Assert.StartsWith("bench s=7 k=42 ", content);
        Assert.Equal(123_456_789, MessageStamp.IntendedMicros(content));
        Assert.Equal(-1, MessageStamp.IntendedMicros("hello t=abc"));
        Assert.Equal(-1, MessageStamp.IntendedMicros((string?)null));
    }

    [Theory]
    [InlineData("An unexpected error occurred invoking 'SendMessage' on the server. HubException: rate_limited: Slow down: 3 s.", "rate_limited")]
    [InlineData("storage_unavailable: PostgreSQL does not answer.", "storage_unavailable")]
    [InlineData("Something else entirely", "hub_error")]
    public void A_refusal_is_counted_by_its_stable_code(string message, string code) =>
        Assert.Equal(code, ErrorCounter.CodeOf(new HubException(message)));
}
