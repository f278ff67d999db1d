using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Tests.Infrastructure;
using Cryb.Voice;

namespace Cryb.Tests.Voice;

/// <summary>
/// The voice grain keeps each channel's permission inputs and the callers' member rows between
/// batches; a change the server grain stores applies to the next join all the same. Each test
/// joins first (so the grain holds the channel and the member), changes the server, then joins again.
/// </summary>
[Collection(VoiceClusterCollection.Name)]
public sealed class VoiceAccessCacheTests(VoiceClusterFixture fixture)
{
    private readonly VoiceTestKit _kit = new(fixture);

    [Fact]
    public async Task An_overwrite_that_denies_connect_refuses_the_next_join_and_its_removal_admits_the_one_after()
    {
        var (owner, ann, bob) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"), _kit.Guilds.User("bob"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann, bob);
        var lounge = await _kit.VoiceChannelAsync(guild, owner);
        var voice = _kit.Voice(guild);
        var (annConnection, bobConnection) = (await _kit.ConnectAsync(ann), await _kit.ConnectAsync(bob, "phone"));
        await voice.Join(ann, annConnection, lounge.Id, false, false);
        await voice.Leave(ann);

        await guild.UpdateChannel(owner, lounge.Id, new GuildChannelSpec(Overwrites: [VoiceTestKit.EveryoneDenies(guild, Permission.Connect)]));

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.Join(ann, annConnection, lounge.Id, false, false));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.Join(bob, bobConnection, lounge.Id, false, false));

        await guild.UpdateChannel(owner, lounge.Id, new GuildChannelSpec(Overwrites: []));

        var joined = await voice.Join(ann, annConnection, lounge.Id, false, false);
        Assert.Equal(lounge.Id, joined.State.ChannelId);
    }

    [Fact]
    public async Task A_member_whose_role_let_them_connect_is_refused_once_the_role_is_removed()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var speakers = await guild.CreateRole(owner, new RoleSpec("speakers"));
        var stage = await _kit.VoiceChannelAsync(guild, owner, 0,
            VoiceTestKit.EveryoneDenies(guild, Permission.Connect), new PermissionOverwrite(speakers.Id, OverwriteKind.Role, Permission.Connect, 0));
        await guild.AddMemberRole(owner, ann.Id, speakers.Id);
        var voice = _kit.Voice(guild);
        var connection = await _kit.ConnectAsync(ann);
        await voice.Join(ann, connection, stage.Id, false, false);
        await voice.Leave(ann);

        await guild.RemoveMemberRole(owner, ann.Id, speakers.Id);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.Join(ann, connection, stage.Id, false, false));
        Assert.Empty(await voice.StatesAsync());
    }

    [Fact]
    public async Task A_role_that_loses_connect_on_the_server_refuses_its_members_next_join()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var speakers = await guild.CreateRole(owner, new RoleSpec("speakers", Permission.Connect));
        // @everyone may view channels but not connect: connect comes only from the role.
        await guild.UpdateRole(owner, guild.GetPrimaryKeyString(), new RoleSpec(Permissions: Permission.ViewChannel));
        var stage = await _kit.VoiceChannelAsync(guild, owner);
        await guild.AddMemberRole(owner, ann.Id, speakers.Id);
        var voice = _kit.Voice(guild);
        var connection = await _kit.ConnectAsync(ann);
        await voice.Join(ann, connection, stage.Id, false, false);
        await voice.Leave(ann);

        await guild.UpdateRole(owner, speakers.Id, new RoleSpec(Permissions: 0));

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.Join(ann, connection, stage.Id, false, false));
    }

    [Fact]
    public async Task A_new_nickname_names_the_member_in_the_next_token()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var lounge = await _kit.VoiceChannelAsync(guild, owner);
        var voice = _kit.Voice(guild);
        var connection = await _kit.ConnectAsync(ann);
        await voice.Join(ann, connection, lounge.Id, false, false);

        await guild.SetNickname(ann, ann.Id, "Annie");

        var again = await voice.Join(ann, connection, lounge.Id, false, false);
        Assert.Equal("Annie", (await _kit.ClaimsAsync(again.Token)).GetProperty("name").GetString());
    }
}
