using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Presence;
using Cryb.Tests.Grains;
using Cryb.Tests.Infrastructure;
using Cryb.Voice;

namespace Cryb.Tests.Voice;

/// <summary>The test cluster configures no LiveKit: voice is off there, and a join says so with its own code.</summary>
[Collection(ClusterCollection.Name)]
public sealed class VoiceUnavailableTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Without_LiveKit_configured_a_join_is_refused_with_voice_unavailable_and_nothing_is_stored()
    {
        var kit = new GuildTestKit(fixture.Client, fixture.Servers.DataSource);
        var owner = kit.User("owner");
        var (guild, _) = await kit.GuildWithAsync(owner);
        var channel = await guild.CreateChannel(owner, Ids.NewChannelId(), new GuildChannelSpec("Lounge", GuildChannelType.Voice));
        var connectionId = Guid.NewGuid().ToString("N");
        await fixture.Client.GetGrain<IPresenceGrain>(owner.Id).Connect(owner, new PresenceConnection(connectionId, TestUsers.New("gateway"), DeviceKind.Desktop));
        var voice = fixture.Client.GetGrain<IVoiceGrain>(guild.GetPrimaryKeyString());

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.VoiceUnavailable, () => voice.Join(owner, connectionId, channel.Id, false, false));

        Assert.Empty(await voice.StatesAsync());
        Assert.Equal(0, await kit.CountRowsAsync("voice_states", guild.GetPrimaryKeyString()));
    }
}
