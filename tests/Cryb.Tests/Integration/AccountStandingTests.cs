using System.Net;
using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;
using Cryb.Users;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cryb.Tests.Integration;

/// <summary>
/// A moderation service bans and deletes accounts through the Orleans client: the user's
/// connections close on every gateway, new ones are refused at connect with 401, and everyone else
/// carries on.
/// </summary>
public sealed class AccountStandingTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private static readonly HttpClient Http = new();
    private static readonly Caller Moderator = Caller.Service(TestAccounts.WelcomeBot);

    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_banned_account_is_closed_on_every_gateway_and_refused_at_connect_until_unbanned()
    {
        var userId = TestUsers.New("spammer");
        await using var onFirst = await Cluster.ConnectAsync(0, userId);
        await using var onSecond = await Cluster.ConnectAsync(1, userId);
        await using var control = await Cluster.ConnectAsync(0, TestUsers.New("control"));
        var channel = await control.CreateChannelAsync("moderated");
        await onFirst.JoinChannelAsync(channel.Id);
        await using var service = await Cluster.ConnectServiceAsync();
        var account = service.Cluster.GetGrain<IUserGrain>(userId);

        await account.BanAccount(Moderator, "spam");

        foreach (var connection in new[] { onFirst, onSecond })
        {
            Assert.Equal(AccountStanding.Banned, (await connection.NextAsync<AccountClosed>("AccountClosed")).Standing);
            await connection.Closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }

        await Refusals.AssertConnectRefusedAsync(Cluster.Gateways[1].Url, await Cluster.TokenAsync(userId));
        Assert.Equal(AccountStanding.Banned, await account.GetStanding(Moderator));
        Assert.Equal(1, (await control.SendMessageAsync(channel.Id, "the rest of us carry on")).Seq);

        await account.UnbanAccount(Moderator);
        await using var back = await Cluster.ConnectAsync(1, userId);
        Assert.Contains((await back.NextAsync<ReadyEvent>("Ready")).Channels, c => c.Channel.Id == channel.Id);
    }

    [Fact]
    public async Task A_ban_is_refused_at_once_by_the_gateway_that_just_found_the_account_active()
    {
        // Connecting leaves the account's good standing in this gateway's short cache.
        var userId = TestUsers.New("quickban");
        await using var connected = await Cluster.ConnectAsync(0, userId);
        await using var service = await Cluster.ConnectServiceAsync();
        var account = service.Cluster.GetGrain<IUserGrain>(userId);

        await account.BanAccount(Moderator, "spam");

        // The client hears of the ban only after the gateway forgot the cached standing: the very
        // next connect to the same gateway, well within the cache's lifetime, is refused with 401.
        await connected.NextAsync<AccountClosed>("AccountClosed");
        await Refusals.AssertConnectRefusedAsync(Cluster.Gateways[0].Url, await Cluster.TokenAsync(userId));
    }

    [Fact]
    public async Task A_ban_while_the_user_has_no_connection_here_still_keeps_them_out()
    {
        // The gateway found the account active, then the user left: nothing tells this gateway of
        // the ban, and its cache may still say active. The user grain refuses the hub connection.
        var userId = TestUsers.New("leftbanned");
        await (await Cluster.ConnectAsync(0, userId)).DisposeAsync();
        await using var service = await Cluster.ConnectServiceAsync();
        await service.Cluster.GetGrain<IUserGrain>(userId).BanAccount(Moderator, "spam");

        var token = await Cluster.TokenAsync(userId);
        await using var connection = new HubConnectionBuilder()
            .WithUrl($"{Cluster.Gateways[0].Url}/hubs/chat", options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var received = new List<string>();
        connection.On<object>("Ready", _ => received.Add("Ready"));
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        try
        {
            // Refused at the HTTP edge (401) once the cache entry is gone, or closed right after the
            // handshake with account_disabled while it lasts; never a Ready.
            await connection.StartAsync(TestContext.Current.CancellationToken);
            var error = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            Assert.Contains(ErrorCodes.AccountDisabled, error?.Message);
        }
        catch (HttpRequestException refusal)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refusal.StatusCode);
        }

        Assert.Empty(received);
    }

    [Fact]
    public async Task A_deleted_account_leaves_its_channels_and_is_refused_for_good()
    {
        var userId = TestUsers.New("leaver");
        await using var leaver = await Cluster.ConnectAsync(0, userId);
        await using var owner = await Cluster.ConnectAsync(1, TestUsers.New("owner"));
        var channel = await owner.CreateChannelAsync("left behind");
        await leaver.JoinChannelAsync(channel.Id);
        Assert.Equal(userId, (await owner.NextAsync<Cryb.Guilds.GuildMemberAdded>("GuildMemberAdded")).Member.UserId); // the channel's server
        await using (var kicked = await Cluster.ConnectAsync(0, TestUsers.New("kicked")))
        {
            await kicked.JoinChannelAsync(channel.Id);
            await owner.InvokeAsync("KickMember", channel.Id, kicked.UserId);
        }

        await using var service = await Cluster.ConnectServiceAsync();
        var account = service.Cluster.GetGrain<IUserGrain>(userId);

        await account.DeleteAccount(Moderator);

        await owner.NextAsync<Cryb.Guilds.GuildMemberAdded>("GuildMemberAdded"); // the kicked one came and went
        Assert.Equal(LeaveReasons.Kicked, (await owner.NextAsync<Cryb.Guilds.GuildMemberRemoved>("GuildMemberRemoved")).Reason);
        var left = await owner.NextAsync<Cryb.Guilds.GuildMemberRemoved>("GuildMemberRemoved");
        Assert.Equal((userId, LeaveReasons.AccountDeleted), (left.UserId, left.Reason));
        await leaver.Closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await account.UnbanAccount(Moderator); // a deletion is not a ban: this changes nothing
        Assert.Equal(AccountStanding.Deleted, await account.GetStanding(Moderator));
        await Refusals.AssertConnectRefusedAsync(Cluster.Gateways[0].Url, await Cluster.TokenAsync(userId));
        Assert.DoesNotContain(await owner.InvokeAsync<MemberWithPresenceEvent[]>("GetMembers", channel.Id), m => m.UserId == userId);

        var metrics = await PrometheusText.ScrapeAsync(Http, Cluster.Silos[0].Url) + await PrometheusText.ScrapeAsync(Http, Cluster.Silos[1].Url);
        Assert.True(PrometheusText.Sum(metrics, "cryb_security_account_actions_total", ("action", "delete")) >= 1);
        Assert.True(PrometheusText.Sum(metrics, "cryb_security_channel_moderation_total", ("action", "kick")) >= 1);
    }

    [Fact]
    public async Task Users_cannot_manage_accounts_and_services_need_the_grant()
    {
        var userId = TestUsers.New("victim");
        await using var service = await Cluster.ConnectServiceAsync();
        var account = service.Cluster.GetGrain<IUserGrain>(userId);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => account.BanAccount(Caller.User(userId, TestAccounts.Gateway), "self-ban"));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => account.DeleteAccount(Caller.Service(TestAccounts.Archiver)));

        Assert.Equal(AccountStanding.Active, await account.GetStanding(Moderator));
    }
}
