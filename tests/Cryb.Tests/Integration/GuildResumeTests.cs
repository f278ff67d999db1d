using Cryb.Gateway.Hubs;
using Cryb.Guilds;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// A reconnecting client resumes its servers by version (docs/protocol.md, "Resuming servers"):
/// with <c>guilds=resume</c> its <c>Ready</c> lists each server's version, and <c>ResumeGuilds</c>
/// answers <c>unchanged</c> or the whole server. The owner is on gateway 0, bob reconnects on
/// gateway 1, which serves the server to nobody else: its view is read afresh each time.
/// </summary>
public sealed class GuildResumeTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private const string Resume = "guilds=resume";

    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_client_holding_the_newest_version_is_told_unchanged_and_gets_the_whole_server_after_a_role_a_join_or_a_removal()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        var bobId = TestUsers.New("bob");
        long held;
        string guildId;
        await using (var bob = await Cluster.ConnectAsync(1, bobId))
        {
            (guildId, _, _) = await GuildSteps.CreateServerAsync(alice, "resume");
            var invite = await alice.InvokeAsync<GuildInvite>("CreateInvite", guildId, 0, 0);
            await bob.InvokeAsync<GuildState>("JoinGuild", invite.Code);
            var created = await bob.NextAsync<GuildState>("GuildCreated");
            await alice.NextAsync<GuildMemberAdded>("GuildMemberAdded");
            held = Math.Max(created.ResumeVersion, HighestEventVersion(bob));
            Assert.True(held > 0);
        }

        // Nothing changed: Ready lists the server's version only, and the resume says unchanged.
        await using (var bob = await Cluster.ConnectAsync(1, bobId, Resume))
        {
            var ready = await bob.NextAsync<ReadyEvent>("Ready");
            Assert.Empty(ready.Guilds!);
            Assert.Equal(new GuildVersion(guildId, held), Assert.Single(ready.GuildVersions!));
            // The server's channel is in the connection's channels as without the hint.
            var general = Assert.Single(ready.Channels, summary => summary.Channel.GuildId == guildId).Channel;

            var resumed = Assert.Single(await bob.InvokeAsync<GuildResume[]>("ResumeGuilds", Held(guildId, held)));
            Assert.Equal((guildId, true, held, (GuildState?)null), (resumed.GuildId, resumed.Unchanged, resumed.Version, resumed.State));
            Assert.Equal(PresenceStatus.Online, Assert.Single(resumed.Presences!, presence => presence.UserId == alice.UserId).Status);
            Assert.True(bob.HasNo("GuildCreated"));

            var sent = await alice.SendMessageAsync(general.Id, "still here?");
            Assert.Equal(sent, await bob.NextMessageCreatedAsync());
        }

        // A role created while bob was away.
        var role = await alice.InvokeAsync<GuildRole>("CreateRole", guildId, new RoleSpec("mods"));
        var afterRole = await ResumeAsync(bobId, guildId, held);
        Assert.Contains(afterRole.Roles, known => known.Id == role.Id);
        Assert.True(afterRole.ResumeVersion > held);
        held = afterRole.ResumeVersion;

        // A member who joined while bob was away.
        await using var carol = await Cluster.ConnectAsync(0, TestUsers.New("carol"));
        var code = (await alice.InvokeAsync<GuildInvite>("CreateInvite", guildId, 0, 0)).Code;
        await carol.InvokeAsync<GuildState>("JoinGuild", code);
        var afterJoin = await ResumeAsync(bobId, guildId, held);
        Assert.Contains(afterJoin.Members, member => member.UserId == carol.UserId);
        Assert.Equal(3, afterJoin.Guild.MemberCount);
        held = afterJoin.ResumeVersion;

        // A member removed while bob was away: her row is gone, her removal's version is not.
        await alice.InvokeAsync("KickFromGuild", guildId, carol.UserId);
        var afterKick = await ResumeAsync(bobId, guildId, held);
        Assert.DoesNotContain(afterKick.Members, member => member.UserId == carol.UserId);
        Assert.Equal(2, afterKick.Guild.MemberCount);

        // And a server the client does not list comes whole; an older version does too.
        await using var bobAgain = await Cluster.ConnectAsync(1, bobId, Resume);
        await bobAgain.NextAsync<ReadyEvent>("Ready");
        var unlisted = Assert.Single(await bobAgain.InvokeAsync<GuildResume[]>("ResumeGuilds", (object)Array.Empty<GuildVersion>()));
        Assert.Equal((false, afterKick.ResumeVersion), (unlisted.Unchanged, unlisted.State!.ResumeVersion));
        var current = Assert.Single(await bobAgain.InvokeAsync<GuildResume[]>("ResumeGuilds", Held(guildId, afterKick.ResumeVersion)));
        Assert.True(current.Unchanged);
    }

    [Fact]
    public async Task A_removal_the_client_missed_is_still_a_change_after_the_server_grain_restarts()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var carol = await Cluster.ConnectAsync(0, TestUsers.New("carol"));
        var bobId = TestUsers.New("bob");
        string guildId;
        long held;
        await using (var bob = await Cluster.ConnectAsync(1, bobId))
        {
            (guildId, _, _) = await GuildSteps.CreateServerAsync(alice, "restart", bob, carol);
            // Carol joined last: bob's newest version is her join's.
            GuildMemberAdded carolAdded;
            while ((carolAdded = await bob.NextAsync<GuildMemberAdded>("GuildMemberAdded")).Member.UserId != carol.UserId)
            {
            }

            held = carolAdded.Version;
        }

        // Removing carol deletes the row that held the newest member version; then every grain restarts.
        await alice.InvokeAsync("KickFromGuild", guildId, carol.UserId);
        await Cluster.RestartSilosAsync();

        await using var bobBack = await Cluster.ConnectAsync(1, bobId, Resume);
        var ready = await bobBack.NextAsync<ReadyEvent>("Ready");
        Assert.True(Assert.Single(ready.GuildVersions!).Version > held);
        var resumed = Assert.Single(await bobBack.InvokeAsync<GuildResume[]>("ResumeGuilds", Held(guildId, held)));
        Assert.False(resumed.Unchanged);
        Assert.DoesNotContain(resumed.State!.Members, member => member.UserId == carol.UserId);
    }

    /// <summary>Bob reconnects on gateway 1 holding <paramref name="held"/> and must get the whole server, in the answer and as no <c>GuildCreated</c>.</summary>
    private async Task<GuildState> ResumeAsync(string bobId, string guildId, long held)
    {
        await using var bob = await Cluster.ConnectAsync(1, bobId, Resume);
        await bob.NextAsync<ReadyEvent>("Ready");
        var resumed = Assert.Single(await bob.InvokeAsync<GuildResume[]>("ResumeGuilds", Held(guildId, held)));
        Assert.False(resumed.Unchanged);
        Assert.Equal(guildId, resumed.State!.Guild.Id);
        Assert.Equal(resumed.State.ResumeVersion, resumed.Version);
        Assert.True(bob.HasNo("GuildCreated"));
        return resumed.State;
    }

    /// <summary>ResumeGuilds' one argument (an array passed alone would be taken for the argument list).</summary>
    private static object Held(string guildId, long version) => new[] { new GuildVersion(guildId, version) };

    /// <summary>The highest version among the server events a client has received so far, as a client keeps it.</summary>
    private static long HighestEventVersion(ChatTestClient client) =>
        client.TakePending<GuildMemberAdded>("GuildMemberAdded").Select(added => added.Version).DefaultIfEmpty().Max();
}
