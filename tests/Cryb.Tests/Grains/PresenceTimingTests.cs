using Cryb.Grains.Presence;
using Cryb.Identity;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cryb.Tests.Grains;

/// <summary>
/// Presence's timings at their configured values, on a clock the test moves: idle after
/// <c>IdleAfter</c> without activity, and offline only when <c>OfflineGrace</c> has passed since the
/// last connection closed. Each step reads the grain's answer at an exact time, a moment before and at the limit.
/// </summary>
[Collection(FakeClockCollection.Name)]
public sealed class PresenceTimingTests(FakeClockClusterFixture fixture)
{
    private static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(1);

    private readonly Caller _alice = TestAccounts.User(TestUsers.New("alice"));

    /// <summary>A gateway of this test's own, whose lease starts fresh: it never heartbeats, and must not expire mid-test.</summary>
    private readonly string _gatewayId = TestUsers.New("gateway");

    private IPresenceGrain Presence => fixture.Client.GetGrain<IPresenceGrain>(_alice.Id);

    private PresenceOptions Options => fixture.SiloServices.GetRequiredService<IOptions<PresenceOptions>>().Value;

    [Fact]
    public async Task A_user_without_activity_turns_idle_at_IdleAfter_and_activity_brings_them_back()
    {
        await Presence.Connect(_alice, Connection("desktop", DeviceKind.Desktop));

        fixture.Clock.Advance(Options.IdleAfter - Moment);
        Assert.Equal(PresenceStatus.Online, (await Presence.Get(_alice)).Status);

        fixture.Clock.Advance(Moment);
        Assert.Equal(PresenceStatus.Idle, (await Presence.Get(_alice)).Status);

        await Presence.ReportActivity(_alice, "desktop");
        Assert.Equal(PresenceStatus.Online, (await Presence.Get(_alice)).Status);
    }

    [Fact]
    public async Task A_user_goes_offline_when_the_grace_after_the_last_device_left_ends_and_lastSeenAt_is_then()
    {
        await Presence.Connect(_alice, Connection("desktop", DeviceKind.Desktop));
        await Presence.Connect(_alice, Connection("phone", DeviceKind.Mobile));

        await Presence.Disconnect(_alice, "desktop");
        fixture.Clock.Advance(Options.OfflineGrace * 2);
        var phoneOnly = await Presence.Get(_alice);
        Assert.Equal(PresenceStatus.Online, phoneOnly.Status);
        Assert.Equal([DeviceKind.Mobile], phoneOnly.Devices);

        await Presence.Disconnect(_alice, "phone");
        var graceEnds = fixture.Clock.GetUtcNow() + Options.OfflineGrace;
        fixture.Clock.Advance(Options.OfflineGrace - Moment);
        Assert.Equal(PresenceStatus.Online, (await Presence.Get(_alice)).Status);

        fixture.Clock.Advance(Moment);
        var offline = await Presence.Get(_alice);
        Assert.Equal((PresenceStatus.Offline, graceEnds), (offline.Status, offline.LastSeenAt));
    }

    [Fact]
    public async Task A_reconnect_within_the_grace_keeps_the_user_online_past_it()
    {
        await Presence.Connect(_alice, Connection("before-reload", DeviceKind.Web));

        await Presence.Disconnect(_alice, "before-reload");
        fixture.Clock.Advance(Options.OfflineGrace - Moment);
        await Presence.Connect(_alice, Connection("after-reload", DeviceKind.Web));
        fixture.Clock.Advance(Options.OfflineGrace * 2);

        var after = await Presence.Get(_alice);
        Assert.Equal((PresenceStatus.Online, (DateTimeOffset?)null), (after.Status, after.LastSeenAt));
    }

    private PresenceConnection Connection(string connectionId, DeviceKind device) => new(connectionId, _gatewayId, device);
}
