using Cryb.Errors;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// Bad input over the real SignalR protocol: each refusal carries its code, stores nothing, and
/// leaves the connection serving the next call.
/// </summary>
public sealed class BadInputTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;

    [Theory]
    [InlineData("", ErrorCodes.MessageEmpty)]
    [InlineData("   ", ErrorCodes.MessageEmpty)]
    [InlineData(null, ErrorCodes.MessageTooLong)]
    public async Task Bad_content_is_refused_nothing_is_stored_and_the_connection_keeps_working(string? content, string code)
    {
        await using var alice = await Cluster.ConnectAsync(0, "alice");
        var channel = await alice.CreateChannelAsync("bad content");

        await Refusals.AssertHubRefusesAsync(code,
            () => alice.SendMessageAsync(channel.Id, content ?? new string('x', MessageLimits.MaxContentLength + 1)));

        Assert.Equal(0, await fixture.Servers.CountMessagesAsync(channel.Id));
        Assert.Equal(1, (await alice.SendMessageAsync(channel.Id, "still here")).Seq);
    }

    [Fact]
    public async Task Sending_to_an_unknown_channel_is_refused()
    {
        await using var alice = await Cluster.ConnectAsync(0, "alice");

        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => alice.SendMessageAsync("no-such-channel", "hello"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => alice.JoinChannelAsync("no-such-channel"));

        Assert.Equal(0, await fixture.Servers.CountMessagesAsync("no-such-channel"));
    }

    [Fact]
    public async Task A_malformed_channel_id_is_refused_before_reaching_a_grain()
    {
        await using var alice = await Cluster.ConnectAsync(1, "alice");

        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => alice.SendMessageAsync("../../etc", "hello"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => alice.JoinChannelAsync(""));
    }

    [Fact]
    public async Task A_non_member_cannot_send_or_read_and_sees_no_events()
    {
        await using var alice = await Cluster.ConnectAsync(0, "alice");
        await using var mallory = await Cluster.ConnectAsync(1, "mallory");
        var channel = await alice.CreateChannelAsync("members only");

        // A channel of a server mallory has not joined: out of her sight.
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => mallory.SendMessageAsync(channel.Id, "let me in"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => mallory.GetHistoryAsync(channel.Id));
        var sent = await alice.SendMessageAsync(channel.Id, "members only");

        // Alice's copy proves the event went out; mallory, connected all along, got nothing.
        Assert.Equal(sent, await alice.NextMessageCreatedAsync());
        Assert.True(mallory.HasNoPendingMessages);
        Assert.Equal(1, await fixture.Servers.CountMessagesAsync(channel.Id));
    }

    [Fact]
    public async Task A_connection_without_a_valid_token_is_refused_with_401()
    {
        foreach (var token in new[] { "", "not-a-jwt" })
        {
            await Refusals.AssertConnectRefusedAsync(Cluster.Gateways[0].Url, token);
        }
    }
}
