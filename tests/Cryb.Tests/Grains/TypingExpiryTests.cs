using Cryb.Channels;
using Cryb.Grains.Typing;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;
using Cryb.Typing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cryb.Tests.Grains;

/// <summary>
/// A typer stops showing after the configured expiry, on a clock the test moves: still typing a
/// moment before it, gone at it, whether a later call or the sweep is the first to look.
/// </summary>
[Collection(FakeClockCollection.Name)]
public sealed class TypingExpiryTests(FakeClockClusterFixture fixture)
{
    private static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(1);

    private TimeSpan Expiry => fixture.SiloServices.GetRequiredService<IOptions<TypingOptions>>().Value.Expiry;

    [Fact]
    public async Task A_typer_is_still_named_a_moment_before_the_expiry_and_dropped_at_it()
    {
        var (alice, bob, carol) = (TestAccounts.User("alice"), TestAccounts.User("bob"), TestAccounts.User("carol"));
        var (typing, updates) = await TypingInNewChannelAsync(alice, bob, carol);
        await using var _ = updates;

        await typing.Start(alice);
        Assert.Equal(["alice"], (await updates.NextAsync("TypingUpdated [alice]")).UserIds);

        fixture.Clock.Advance(Expiry - Moment);
        await typing.Start(bob);
        Assert.Equal(["alice", "bob"], (await updates.NextAsync("TypingUpdated [alice, bob] a moment before alice's expiry")).UserIds);

        fixture.Clock.Advance(Moment);
        await typing.Start(carol);
        // The sweep may have ticked first and announced [bob]; either way carol's update names
        // only typers whose time has not run out.
        var withCarol = await updates.NextAsync("TypingUpdated naming carol");
        if (!withCarol.UserIds.Contains("carol"))
        {
            Assert.Equal(["bob"], withCarol.UserIds);
            withCarol = await updates.NextAsync("TypingUpdated naming carol, after the sweep's [bob]");
        }

        Assert.Equal(["bob", "carol"], withCarol.UserIds);
    }

    [Fact]
    public async Task With_nobody_calling_the_sweep_announces_the_expiry()
    {
        var alice = TestAccounts.User("alice");
        var (typing, updates) = await TypingInNewChannelAsync(alice);
        await using var _ = updates;

        await typing.Start(alice);
        Assert.Equal(["alice"], (await updates.NextAsync("TypingUpdated [alice]")).UserIds);

        // One step past the expiry and the sweep's tick (a tenth of it): the tick armed by the
        // start fires once, at a time past alice's expiry.
        fixture.Clock.Advance(Expiry + Expiry / 10);
        Assert.Empty((await updates.NextAsync("TypingUpdated [] from the sweep after alice's expiry")).UserIds);
    }

    /// <summary>A new channel that the callers are members of, its typing grain, and its typing updates from now on.</summary>
    private async Task<(ITypingGrain Typing, ChannelEventReader<TypingUpdated> Updates)> TypingInNewChannelAsync(Caller owner, params Caller[] members)
    {
        var channelId = Ids.NewChannelId();
        var channel = fixture.Client.GetGrain<IChannelGrain>(channelId);
        await channel.Create(owner, "typing", isPrivate: false);
        foreach (var member in members)
        {
            await channel.Join(member, sinceSeq: null);
        }

        return (fixture.Client.GetGrain<ITypingGrain>(channelId), await ChannelEventReader<TypingUpdated>.SubscribeAsync(fixture.Client, channelId));
    }
}
