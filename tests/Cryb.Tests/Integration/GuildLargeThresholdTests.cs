using Cryb.Errors;
using Cryb.Gateway.Hubs;
using Cryb.Guilds;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// The connect parameter <c>largeThreshold</c> (docs/protocol.md, "Servers in Ready"): a server with
/// more members than the connection's threshold (50 unless it asks, at most 250) comes without its
/// member list and presences, in <c>Ready</c>, <c>GuildCreated</c>, <c>ResumeGuilds</c> and the
/// answers of <c>JoinGuild</c> and <c>GetGuild</c>; a bad value refuses the connection.
/// </summary>
public sealed class GuildLargeThresholdTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_server_past_the_connections_threshold_comes_without_its_members_and_one_within_it_whole()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(0, TestUsers.New("bob"));
        var (guildId, _, code) = await GuildSteps.CreateServerAsync(alice, "threshold", bob);
        await GuildSteps.ImportAsync(Cluster, guildId, GuildLimits.DefaultLargeThreshold);
        var members = GuildLimits.DefaultLargeThreshold + 2;

        // The default: 52 members are past 50, so only alice's own record.
        await using (var phone = await Cluster.ConnectAsync(1, alice.UserId))
        {
            var listed = Assert.Single((await phone.NextAsync<ReadyEvent>("Ready")).Guilds!);
            Assert.Equal((members, true), (listed.Guild.MemberCount, listed.Large));
            Assert.Equal(alice.UserId, Assert.Single(listed.Members).UserId);
            Assert.Empty(listed.Presences);

            // GetGuild answers as the connection lists servers.
            var fetched = await phone.InvokeAsync<GuildState>("GetGuild", guildId);
            Assert.Equal((true, alice.UserId), (fetched.Large, Assert.Single(fetched.Members).UserId));
        }

        // Asking for up to 250: the whole list, with bob's presence.
        await using (var laptop = await Cluster.ConnectAsync(1, alice.UserId, $"{ConnectLargeThreshold.Parameter}=250"))
        {
            var listed = Assert.Single((await laptop.NextAsync<ReadyEvent>("Ready")).Guilds!);
            Assert.False(listed.Large);
            Assert.Equal(members, listed.Members.Count);
            Assert.Contains(listed.Members, member => member.UserId == bob.UserId);
            Assert.Equal(PresenceStatus.Online, Assert.Single(listed.Presences, presence => presence.UserId == bob.UserId).Status);
        }

        // A join answers, and announces, the server as the joining connection lists it.
        await using var carol = await Cluster.ConnectAsync(1, TestUsers.New("carol"));
        await carol.NextAsync<ReadyEvent>("Ready");
        var joined = await carol.InvokeAsync<GuildState>("JoinGuild", code);
        Assert.Equal((members + 1, true, carol.UserId), (joined.Guild.MemberCount, joined.Large, Assert.Single(joined.Members).UserId));
        var created = await carol.NextAsync<GuildState>("GuildCreated");
        Assert.Equal((true, carol.UserId), (created.Large, Assert.Single(created.Members).UserId));
        Assert.Empty(created.Presences);

        await using var dave = await Cluster.ConnectAsync(1, TestUsers.New("dave"), $"{ConnectLargeThreshold.Parameter}=100");
        await dave.NextAsync<ReadyEvent>("Ready");
        var daveJoined = await dave.InvokeAsync<GuildState>("JoinGuild", code);
        Assert.Equal((false, members + 2), (daveJoined.Large, daveJoined.Members.Count));
        Assert.False((await dave.NextAsync<GuildState>("GuildCreated")).Large);
    }

    [Fact]
    public async Task A_resuming_connection_gets_its_servers_as_its_threshold_lists_them()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(0, TestUsers.New("bob"));
        var (guildId, _, _) = await GuildSteps.CreateServerAsync(alice, "resume-threshold", bob);

        // Threshold 0: even a server of two is large to this connection.
        await using (var lazy = await Cluster.ConnectAsync(1, alice.UserId, $"guilds=resume&{ConnectLargeThreshold.Parameter}=0"))
        {
            await lazy.NextAsync<ReadyEvent>("Ready");
            var resumed = Assert.Single(await lazy.InvokeAsync<GuildResume[]>("ResumeGuilds", (object)Array.Empty<GuildVersion>()));
            Assert.Equal((guildId, false), (resumed.GuildId, resumed.Unchanged));
            Assert.True(resumed.State!.Large);
            Assert.Equal(alice.UserId, Assert.Single(resumed.State.Members).UserId);
        }

        await using var whole = await Cluster.ConnectAsync(1, alice.UserId, "guilds=resume");
        await whole.NextAsync<ReadyEvent>("Ready");
        var state = Assert.Single(await whole.InvokeAsync<GuildResume[]>("ResumeGuilds", (object)Array.Empty<GuildVersion>())).State!;
        Assert.False(state.Large);
        Assert.Equal([alice.UserId, bob.UserId], state.Members.Select(member => member.UserId).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("251")]
    [InlineData("-1")]
    [InlineData("fifty")]
    public async Task A_threshold_that_is_not_a_whole_number_from_0_to_250_refuses_the_connection_with_invalid_argument(string value)
    {
        var connection = await Cluster.ConnectAsync(0, TestUsers.New("bad"), $"{ConnectLargeThreshold.Parameter}={value}");
        await using (connection)
        {
            var error = await connection.Closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            Assert.Contains(ErrorCodes.InvalidArgument, error?.Message);
            Assert.True(connection.HasNo("Ready"));
        }
    }

    [Fact]
    public void The_threshold_parameter_reads_absent_as_the_default_and_caps_at_the_servers_own_threshold()
    {
        Assert.Equal(GuildLimits.DefaultLargeThreshold, ConnectLargeThreshold.Of(null));
        Assert.Equal(GuildLimits.DefaultLargeThreshold, ConnectLargeThreshold.Of(""));
        Assert.Equal(0, ConnectLargeThreshold.Of("0"));
        Assert.Equal(GuildLimits.LargeThreshold, ConnectLargeThreshold.Of("250"));
        Assert.Equal(ErrorCodes.InvalidArgument, Assert.Throws<ChatException>(() => ConnectLargeThreshold.Of("1e2")).Code);
    }
}
