using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Limits;
using Cryb.Messages;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;
using Cryb.Typing;
using Cryb.Users;

namespace Cryb.Tests.Grains;

/// <summary>
/// Grain calls straight through the Orleans client, as an attacker with a client would make them:
/// without a valid service credential, beyond an account's grants, or into silo-internal methods,
/// they are refused before the grain runs, and nothing changes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ServiceAccountTests(ClusterFixture fixture)
{
    private static readonly Caller Alice = TestAccounts.User("alice");

    private async Task<(IChannelGrain Channel, ChatMessage Message)> PrivateChannelWithAMessageAsync()
    {
        var channel = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        await channel.Create(Alice, "secrets", isPrivate: true);
        return (channel, await channel.SendMessage(Alice, new SendMessageRequest("the secret")));
    }

    [Fact]
    public async Task A_user_caller_without_a_credential_is_refused()
    {
        var (channel, message) = await PrivateChannelWithAMessageAsync();
        var forged = new Caller("alice", CallerKind.User);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => channel.GetHistory(forged, null, 10));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => channel.SendMessage(forged, new SendMessageRequest("forged")));

        Assert.Equal([message], await channel.GetHistory(Alice, null, 10));
    }

    [Fact]
    public async Task A_wrong_secret_or_an_unknown_account_is_refused()
    {
        var (channel, message) = await PrivateChannelWithAMessageAsync();
        var wrongSecret = Caller.User("alice", TestAccounts.Gateway with { Secret = new string('x', 48) });
        var unknown = Caller.User("alice", new ServiceCredential("intruder", TestAccounts.Gateway.Secret));

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => channel.GetHistory(wrongSecret, null, 10));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => channel.DeleteMessage(unknown, message.Id));

        Assert.Equal([message], await channel.GetHistory(Alice, null, 10));
    }

    [Fact]
    public async Task A_service_may_not_act_for_users_nor_as_another_service()
    {
        var (channel, message) = await PrivateChannelWithAMessageAsync();
        var botAsAlice = Caller.User("alice", TestAccounts.WelcomeBot);
        var botAsArchiver = new Caller(TestAccounts.Archiver.Name, CallerKind.Service, TestAccounts.WelcomeBot);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.GetHistory(botAsAlice, null, 10));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.EditMessage(botAsAlice, message.Id, "edited"));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.GetHistory(botAsArchiver, null, 10));

        Assert.Equal([message], await channel.GetHistory(Alice, null, 10));
    }

    [Fact]
    public async Task Only_a_gateway_account_reads_a_channels_changes_past_membership_even_with_every_channel_method_granted()
    {
        var (channel, message) = await PrivateChannelWithAMessageAsync();

        // The bot is granted IChannelGrain.*, but does not act for users: it is no gateway.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.GetChangesAfter(TestAccounts.WelcomeBot, 0, 10, []));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated,
            () => channel.GetChangesAfter(TestAccounts.Gateway with { Secret = new string('x', 48) }, 0, 10, []));

        var changes = await channel.GetChangesAfter(TestAccounts.Gateway, 0, 10, ["alice", "mallory"]);
        Assert.Equal([message], changes.Changes);
        Assert.Equal(["mallory"], changes.NotMembers);
    }

    [Fact]
    public async Task A_service_calls_only_the_methods_it_was_granted_and_the_grain_still_checks_membership()
    {
        var (channel, message) = await PrivateChannelWithAMessageAsync();
        var archiver = Caller.Service(TestAccounts.Archiver);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.SendMessage(archiver, new SendMessageRequest("not granted")));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.Join(archiver, null));
        // Granted GetHistory, but not a member of this private channel: the grain refuses it itself.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.GetHistory(archiver, null, 10));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden,
            () => fixture.Client.GetGrain<IUserGrain>("alice").BanAccount(archiver, "not granted"));

        Assert.Equal([message], await channel.GetHistory(Alice, null, 10));
        Assert.Equal(AccountStanding.Active, await fixture.Client.GetGrain<IUserGrain>("alice").GetStanding(Alice));
    }

    [Fact]
    public async Task Silo_internal_methods_are_refused_from_clients_even_with_a_valid_credential()
    {
        var (channel, _) = await PrivateChannelWithAMessageAsync();
        var mallory = fixture.Client.GetGrain<IUserGrain>("mallory");
        var info = await channel.GetInfo(Alice);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => mallory.AddChannel(info));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => fixture.Client.GetGrain<IUserGrain>("alice").GetChannelIds());
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => fixture.Client.GetGrain<IUserGrain>("alice").RemoveChannel(info.Id, "left"));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => fixture.Client.GetGrain<IPresenceGrain>("alice").GatewayLost("gateway-x"));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => fixture.Client.GetGrain<IGatewayLeaseGrain>("gateway-x").Track("alice"));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated,
            () => fixture.Client.GetGrain<IGatewayLeaseGrain>("gateway-x").Heartbeat(TestAccounts.Gateway with { Secret = new string('y', 48) }));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => fixture.Client.GetGrain<IPresenceGrain>("alice").AwaySince());
        // The push worker's way to it is declared outside the contracts, so the filter lets a client
        // through to the grain; without the silo's own token the grain refuses.
        var pushPresence = fixture.Client.GetGrain<Cryb.Grains.Notifications.Push.IPushPresenceGrain>(0);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => pushPresence.AwaySince(new byte[32], ["alice"]));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => pushPresence.AwaySince([], ["alice"]));
        Assert.False(await channel.IsMember(TestAccounts.User("mallory")));
        Assert.DoesNotContain(info.Id, (await mallory.Connect(TestAccounts.User("mallory"), "Mallory")).ChannelIds);
    }

    [Fact]
    public async Task Silo_internal_one_way_calls_from_clients_are_refused_and_change_nothing()
    {
        var (channel, _) = await PrivateChannelWithAMessageAsync();
        var bob = TestAccounts.User("bob");
        await channel.Invite(Alice, "bob");
        await Invitations.AcceptAsync(fixture.Client, channel, "bob");
        await fixture.Client.GetGrain<ITypingGrain>(channel.GetPrimaryKeyString()).Start(bob);
        using var refusals = new RefusalCounter();

        // One-way calls report nothing to the caller. Bob is a member, not the owner, so the removal
        // would take him out were it let through; the silo's count of refused calls shows it was not.
        await channel.RemoveDeletedAccount("bob");
        await fixture.Client.GetGrain<ITypingGrain>(channel.GetPrimaryKeyString()).StopOnSend("bob");

        await refusals.WaitForAsync(ErrorCodes.Unauthenticated, 2);
        Assert.True(await channel.IsMember(bob));
        Assert.Contains(channel.GetPrimaryKeyString(), (await fixture.Client.GetGrain<IUserGrain>("bob").Connect(bob, "Bob")).Guilds!.Select(g => g.GuildId));
    }

    /// <summary>
    /// Refusals the silos in this process count (<c>cryb.security.client_calls.refused</c>), by code;
    /// a wait for a count ends at the measurement that reaches it.
    /// </summary>
    private sealed class RefusalCounter : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly Lock _lock = new();
        private readonly Dictionary<string, long> _byCode = [];
        private readonly List<(string Code, long AtLeast, TaskCompletionSource Reached)> _waits = [];

        public RefusalCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "cryb.security.client_calls.refused")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "code" && tag.Value is string code)
                    {
                        Count(code, value);
                    }
                }
            });
            _listener.Start();
        }

        public async Task WaitForAsync(string code, long atLeast)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                if (_byCode.GetValueOrDefault(code) >= atLeast)
                {
                    return;
                }

                _waits.Add((code, atLeast, reached));
            }

            try
            {
                await reached.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
                lock (_lock)
                {
                    Assert.Fail($"the silos counted {_byCode.GetValueOrDefault(code)} refused {code} calls, not {atLeast}");
                }
            }
        }

        private void Count(string code, long value)
        {
            lock (_lock)
            {
                var count = _byCode[code] = _byCode.GetValueOrDefault(code) + value;
                foreach (var wait in _waits.Where(wait => wait.Code == code && count >= wait.AtLeast).ToArray())
                {
                    wait.Reached.TrySetResult();
                    _waits.Remove(wait);
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task A_user_spends_only_their_own_rate_limit()
    {
        var limiter = fixture.Client.GetGrain<IRateLimitGrain>("alice");

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => limiter.Take(TestAccounts.User("mallory"), RateLimitKind.Message));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => limiter.Lease(TestAccounts.User("mallory"), RateLimitKind.Message, null));
        Assert.True((await limiter.Take(Alice, RateLimitKind.Message)).Allowed);
    }

    [Fact]
    public async Task Tokens_returned_for_another_user_are_not_put_back_in_their_bucket()
    {
        var userId = TestUsers.New("leaser");
        var user = TestAccounts.User(userId);
        var limiter = fixture.Client.GetGrain<IRateLimitGrain>(userId);
        var first = await limiter.Lease(user, RateLimitKind.Message, null);
        var second = await limiter.Lease(user, RateLimitKind.Message, null); // the burst of 10 is out

        // One-way: the refusal reaches nobody, so what shows it is that the bucket stayed dry.
        await limiter.Return(TestAccounts.User("mallory"), RateLimitKind.Message, new ReturnedTokens(first.Id, first.Tokens - 1));
        var third = await limiter.Lease(user, RateLimitKind.Message, null);

        Assert.Equal(10, first.Tokens + second.Tokens);
        // While 8 are out on lease the bucket refills to 2 at most; a forged return would have put back 4.
        Assert.InRange(third.Tokens, 0, 2);
    }
}
