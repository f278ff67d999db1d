using Cryb.Errors;
using Cryb.Grains.Guilds;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cryb.Tests.Grains;

/// <summary>
/// The server rules that hang on time or size, on a cluster whose clock the test moves and whose
/// member cap is tiny: invite expiry, the full member list's rate limit and paging, the cap.
/// </summary>
[Collection(GuildClockCollection.Name)]
public sealed class GuildClockTests(GuildClockClusterFixture fixture)
{
    private static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(1);

    private readonly GuildTestKit _kit = new(fixture.Client, fixture.Servers.DataSource);

    [Fact]
    public void The_silo_runs_with_the_fixtures_member_cap()
    {
        Assert.Equal(GuildClockClusterFixture.MaxMembers, fixture.SiloServices.GetRequiredService<IOptions<GuildOptions>>().Value.MaxMembers);
    }

    [Fact]
    public async Task An_invite_admits_until_its_age_runs_out_and_not_at_it()
    {
        var (owner, early, late) = (_kit.User("owner"), _kit.User("early"), _kit.User("late"));
        var (guild, _) = await _kit.GuildWithAsync(owner);
        var invite = await guild.CreateInvite(owner, 0, 60);
        Assert.Equal(invite.CreatedAt.AddSeconds(60), invite.ExpiresAt);

        fixture.Clock.Advance(TimeSpan.FromSeconds(60) - Moment);
        await _kit.Invites.Join(early, invite.Code);
        fixture.Clock.Advance(Moment);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InviteInvalid, () => _kit.Invites.Join(late, invite.Code));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InviteInvalid, () => guild.Join(late, invite.Code));
        Assert.Empty(await guild.GetInvites(owner));
    }

    [Fact]
    public async Task A_full_list_is_paged_in_user_id_order_and_started_once_per_interval_per_user()
    {
        var owner = _kit.User("owner");
        var others = new[] { _kit.User("b"), _kit.User("c"), _kit.User("a") };
        var (guild, _) = await _kit.GuildWithAsync(owner, others);
        var everyone = others.Append(owner).Select(u => u.Id).Order(StringComparer.Ordinal).ToArray();

        var first = await guild.ListMembers(owner, null, 3);
        var second = await guild.ListMembers(owner, first.Members[^1].UserId, 3);
        Assert.Equal(everyone, first.Members.Concat(second.Members).Select(m => m.UserId));
        Assert.Equal(4, first.MemberCount);
        Assert.Empty((await guild.ListMembers(owner, second.Members[^1].UserId, 3)).Members);

        fixture.Clock.Advance(TimeSpan.FromSeconds(10));
        var refusal = await Assert.ThrowsAsync<ChatException>(() => guild.ListMembers(owner, null, 3));
        Assert.Equal(ErrorCodes.RateLimited, refusal.Code);
        Assert.Contains("retryAfterMs=20000", refusal.Message);
        // Another member has a listing of their own; pages without a listing are refused.
        await guild.ListMembers(others[0], null, 3);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => guild.ListMembers(others[1], others[0].Id, 3));

        fixture.Clock.Advance(TimeSpan.FromSeconds(20));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => guild.ListMembers(owner, first.Members[^1].UserId, 3));
        Assert.Equal(everyone[..3], (await guild.ListMembers(owner, null, 3)).Members.Select(m => m.UserId));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => guild.ListMembers(_kit.User("outsider"), null, 3));
    }

    [Fact]
    public async Task A_server_at_its_member_cap_refuses_joins_and_imports_with_guild_full()
    {
        var owner = _kit.User("owner");
        var members = Enumerable.Range(0, GuildClockClusterFixture.MaxMembers - 1).Select(i => _kit.User($"m{i}")).ToArray();
        var (guild, _) = await _kit.GuildWithAsync(owner, members);
        var invite = await guild.CreateInvite(owner, 0, 0);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildFull, () => _kit.Invites.Join(_kit.User("one-too-many"), invite.Code));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildFull,
            () => guild.ImportMembers(Caller.Service(TestAccounts.WelcomeBot), [_kit.User("imported").Id]));
        Assert.Equal(GuildClockClusterFixture.MaxMembers, await _kit.CountRowsAsync("guild_members", guild.GetPrimaryKeyString()));

        await guild.Leave(members[0]);
        await _kit.Invites.Join(_kit.User("next"), invite.Code);
    }

    [Fact]
    public async Task Channels_are_stamped_with_the_servers_clock_when_created_not_with_their_ids_time()
    {
        var owner = _kit.User("owner");
        var (guild, created) = await _kit.GuildWithAsync(owner);
        // The fake clock is years from the real one, which the UUIDv7 ids carry: the stamps must come from the clock.
        Assert.Equal(created.Guild.CreatedAt, Assert.Single(created.Channels).CreatedAt);

        fixture.Clock.Advance(TimeSpan.FromHours(1));
        var staff = await guild.CreateChannel(owner, Ids.NewChannelId(), new GuildChannelSpec("staff"));
        var voice = await guild.CreateChannel(owner, Ids.NewChannelId(), new GuildChannelSpec("talk", GuildChannelType.Voice));

        Assert.Equal(created.Guild.CreatedAt.AddHours(1), staff.CreatedAt);
        Assert.Equal(staff.CreatedAt, voice.CreatedAt);
        Assert.Equal(staff.CreatedAt, (await guild.GetState(owner)).Channels.Single(channel => channel.Id == staff.Id).CreatedAt);
        // An update keeps the stamp.
        Assert.Equal(staff.CreatedAt, (await guild.UpdateChannel(owner, staff.Id, new GuildChannelSpec(Topic: "rules"))).CreatedAt);
    }
}
