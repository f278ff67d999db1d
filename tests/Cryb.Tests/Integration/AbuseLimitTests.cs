using System.Diagnostics;
using System.Text.RegularExpressions;
using Cryb.Channels;
using Cryb.Errors;
using Cryb.Messages;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cryb.Tests.Integration;

/// <summary>
/// The shipped per-user limits over the real protocol: a flood is acknowledged or refused, never
/// lost; limits hold across gateways; a control user on the same gateway is never affected.
/// </summary>
public sealed partial class AbuseLimitTests(ShippedLimitsClusterFixture fixture) : IClassFixture<ShippedLimitsClusterFixture>
{
    private static readonly HttpClient Http = new();

    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_message_flood_is_acknowledged_with_gapless_seqs_or_refused_with_a_retry_time_and_never_lost()
    {
        await using var flooder = await Cluster.ConnectAsync(0, TestUsers.New("flooder"));
        await using var control = await Cluster.ConnectAsync(0, TestUsers.New("control"));
        var channel = await flooder.CreateChannelAsync("flooded");
        await control.JoinChannelAsync(channel.Id);

        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => TrySendAsync(flooder, channel.Id, $"flood {i}")));
        var elapsed = clock.Elapsed;

        var acked = outcomes.Select(o => o.Acked).OfType<ChatMessage>().OrderBy(m => m.Seq).ToArray();
        var refused = outcomes.Select(o => o.Refused).OfType<HubException>().ToArray();
        Assert.Equal(40, acked.Length + refused.Length);
        // The burst of 10, plus 5 a second while the flood lasts.
        Assert.InRange(acked.Length, 10, 11 + (int)Math.Ceiling(elapsed.TotalSeconds * 5));
        Assert.NotEmpty(refused);
        Assert.All(refused, refusal =>
        {
            Assert.Equal(ErrorCodes.RateLimited, Refusals.CodeOf(refusal));
            Assert.InRange(int.Parse(RetryAfter().Match(refusal.Message).Groups[1].Value), 1, 1000);
        });
        Assert.Equal(Enumerable.Range(1, acked.Length).Select(i => (long)i), acked.Select(m => m.Seq));
        Assert.Equal(acked.Select(m => m.Id), (await flooder.GetHistoryAsync(channel.Id)).OrderBy(m => m.Seq).Select(m => m.Id));
        Assert.Equal(acked.Length, await fixture.Servers.CountMessagesAsync(channel.Id));
        for (var i = 0; i < acked.Length; i++)
        {
            Assert.Equal(acked[i].Id, (await control.NextMessageCreatedAsync()).Id);
        }

        // The control user has a bucket of their own.
        Assert.Equal(acked.Length + 1, (await control.SendMessageAsync(channel.Id, "unaffected")).Seq);
    }

    [Fact]
    public async Task The_message_limit_is_the_users_across_every_gateway()
    {
        var userId = TestUsers.New("two-gateways");
        await using var onFirst = await Cluster.ConnectAsync(0, userId);
        await using var onSecond = await Cluster.ConnectAsync(1, userId);
        var channel = await onFirst.CreateChannelAsync("two gateways");
        await onSecond.NextAsync<Cryb.Guilds.GuildState>("GuildCreated"); // the channel's server, on the other gateway too

        // Rounds of 10 sends on each gateway until both have been refused. A limit per connection or
        // per gateway would let through a burst of 10 on each and refill 5 a second on each; the
        // user's lets through one burst of 10 and 5 a second in all, however slow the machine is.
        var clock = Stopwatch.StartNew();
        var outcomes = new List<(ChatMessage? Acked, HubException? Refused, int Gateway)>();
        for (var round = 0; round < 10 && !BothRefused(); round++)
        {
            var sends = Enumerable.Range(0, 10).SelectMany(i => new[]
            {
                Tagged(TrySendAsync(onFirst, channel.Id, $"first {round}.{i}"), 0),
                Tagged(TrySendAsync(onSecond, channel.Id, $"second {round}.{i}"), 1),
            });
            outcomes.AddRange(await Task.WhenAll(sends));
        }

        var elapsed = clock.Elapsed;
        Assert.True(BothRefused(), "both gateways refused a send");
        Assert.All(outcomes.Where(o => o.Refused is not null), o => Assert.Equal(ErrorCodes.RateLimited, Refusals.CodeOf(o.Refused!)));
        var acked = outcomes.Count(o => o.Acked is not null);
        Assert.InRange(acked, 10, 10 + (int)Math.Ceiling(elapsed.TotalSeconds * 5));

        bool BothRefused() => outcomes.Any(o => o.Gateway == 0 && o.Refused is not null) && outcomes.Any(o => o.Gateway == 1 && o.Refused is not null);

        static async Task<(ChatMessage? Acked, HubException? Refused, int Gateway)> Tagged(Task<(ChatMessage? Acked, HubException? Refused)> send, int gateway)
        {
            var (acked, refused) = await send;
            return (acked, refused, gateway);
        }

        Assert.Equal(acked, await fixture.Servers.CountMessagesAsync(channel.Id));
    }

    [Fact]
    public async Task Allowed_sends_ask_the_rate_limit_grain_once_per_lease_not_once_per_send()
    {
        await using var sender = await Cluster.ConnectAsync(0, TestUsers.New("steady"));
        var channel = await sender.CreateChannelAsync("leases");
        var before = await RateLimitGrainCallsAsync();

        // One send at a time, each answered before the next: the burst of 10, then refusals.
        var outcomes = new List<(ChatMessage? Acked, HubException? Refused)>();
        for (var i = 0; i < 30; i++)
        {
            outcomes.Add(await TrySendAsync(sender, channel.Id, $"steady {i}"));
        }

        var calls = await RateLimitGrainCallsAsync() - before;
        var acked = outcomes.Count(o => o.Acked is not null);
        Assert.InRange(acked, 10, 30);
        // Leases of 5 with the shipped limits: about one call per 5 sends. Asking per send would be 30.
        Assert.True(calls <= acked / 2.0, $"{calls} calls into the rate-limit grain for {acked} allowed sends");
    }

    [Fact]
    public async Task Typing_over_its_limit_is_dropped_silently_and_other_calls_are_refused_over_theirs()
    {
        await using var typist = await Cluster.ConnectAsync(0, TestUsers.New("typist"));
        await using var observer = await Cluster.ConnectAsync(0, TestUsers.New("observer"));
        var channel = await typist.CreateChannelAsync("typing limit");
        await observer.JoinChannelAsync(channel.Id);

        await typist.InvokeAsync("StartTyping", channel.Id);
        Assert.Equal([typist.UserId], (await observer.NextAsync<TypingUpdated>("TypingUpdated")).UserIds);
        await typist.InvokeAsync("StopTyping", channel.Id);
        Assert.Empty((await observer.NextAsync<TypingUpdated>("TypingUpdated")).UserIds);
        await typist.InvokeAsync("StartTyping", channel.Id); // within 2 s of the first: dropped, no error
        // The observer starts typing after that call returned: the channel's typing updates come in
        // order, so had the typist's start gone through, its update would come first.
        await observer.InvokeAsync("StartTyping", channel.Id);
        Assert.Equal([observer.UserId], (await observer.NextAsync<TypingUpdated>("TypingUpdated")).UserIds);

        // Cheap calls, pipelined on three connections of the typist, in rounds until the bucket runs
        // dry: a loaded machine may serve one connection's calls slower than 20 a second.
        await using var second = await ChatTestClient.ConnectAsync(Cluster.Gateways[1].Url, await Cluster.TokenAsync(typist.UserId), typist.UserId);
        await using var third = await ChatTestClient.ConnectAsync(Cluster.Gateways[0].Url, await Cluster.TokenAsync(typist.UserId), typist.UserId);
        var calls = new List<string?>();
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < 5 && !calls.Contains(ErrorCodes.RateLimited); round++)
        {
            calls.AddRange(await Task.WhenAll(new[] { typist, second, third }
                .SelectMany(connection => Enumerable.Range(0, 20).Select(_ => TryCallAsync(connection.InvokeAsync("ReportActivity"))))));
        }

        Assert.Contains(ErrorCodes.RateLimited, calls);
        Assert.All(calls, code => Assert.True(code is null or ErrorCodes.RateLimited, code));
        Assert.InRange(calls.Count(code => code is null), 15, 21 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds * 20));

        var metrics = await PrometheusText.ScrapeAsync(Http, Cluster.Gateways[0].Url);
        Assert.True(PrometheusText.Sum(metrics, "cryb_security_rate_limited_total", ("limit", "typing")) >= 1);
        Assert.True(PrometheusText.Sum(metrics, "cryb_security_rate_limited_total", ("limit", "call")) >= 1);
        // The observer was never limited by the typist's calls.
        Assert.Single(await observer.InvokeAsync<MemberWithPresenceEvent[]>("GetMembers", channel.Id), m => m.UserId == observer.UserId);
    }

    [Fact]
    public async Task Bulk_presence_reads_cost_by_their_size_so_one_token_buys_a_bounded_number_of_grain_calls()
    {
        var userId = TestUsers.New("presence-reader");
        var readers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Cluster.ConnectAsync(0, userId)));
        await using var reader = readers[0];
        await using var second = readers[1];
        await using var third = readers[2];
        var page = Enumerable.Range(0, PresenceLimits.MaxBulkUsers).Select(i => TestUsers.New($"someone-{i}")).ToArray();

        // A full page costs 10 of the 20 call tokens a user may burst, which refill at 20 a second:
        // three at once overdraw it, where at one token a call they all went through. Three devices,
        // one page each: SignalR runs one call of a connection at a time, so the pages of one
        // connection would take their tokens only as each read ends, and on a loaded machine a read
        // of 200 users is slow enough for the refill to pay for the next. The devices take theirs
        // at once, two small lease requests apart.
        var outcomes = await Task.WhenAll(readers.Select(async device =>
        {
            try
            {
                await device.InvokeAsync<PresenceInfo[]>("GetPresence", (object)page);
                return null;
            }
            catch (HubException refusal)
            {
                return refusal;
            }
        }));

        Assert.Contains(outcomes, outcome => outcome is null);
        var refused = outcomes.OfType<HubException>().FirstOrDefault();
        Assert.NotNull(refused);
        Assert.Equal(ErrorCodes.RateLimited, Refusals.CodeOf(refused));
        Assert.Matches(RetryAfter(), refused.Message);

        // A small read costs its one token: once the bucket refills, it goes through.
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        Assert.Equal(5, (await reader.InvokeAsync<PresenceInfo[]>("GetPresence", (object)page[..5])).Length);
    }

    [Fact]
    public async Task A_sixth_connection_of_a_user_is_refused_on_any_gateway_until_one_closes()
    {
        var userId = TestUsers.New("many-devices");
        var token = await Cluster.TokenAsync(userId);
        var open = new List<ChatTestClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var client = await ChatTestClient.ConnectAsync(Cluster.Gateways[i % 2].Url, token, userId);
                await client.NextAsync<ReadyEvent>("Ready");
                open.Add(client);
            }

            var closeReason = await Refusals.ConnectExpectingCloseAsync(Cluster.Gateways[1].Url, token);
            Assert.Contains(ErrorCodes.TooManyConnections, closeReason);
            await using (var control = await Cluster.ConnectAsync(1, TestUsers.New("control")))
            {
                await control.NextAsync<ReadyEvent>("Ready");
            }

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            // The closed connection stops counting once its gateway has seen the close, which can
            // come a moment after the client's dispose returns: until then a new one is still refused.
            ChatTestClient? sixth = null;
            await Eventually.WaitUntilAsync(async () =>
            {
                var attempt = await ChatTestClient.ConnectAsync(Cluster.Gateways[1].Url, token, userId);
                if (attempt.Closed.IsCompleted)
                {
                    await attempt.DisposeAsync();
                    return false;
                }

                sixth = attempt;
                return true;
            }, "a connection to be accepted once one of the five closed", TimeSpan.FromSeconds(15));
            open.Add(sixth!);
            await sixth!.NextAsync<ReadyEvent>("Ready");
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Direct_messages_per_user_are_bounded_and_a_refused_one_stores_nothing_while_servers_have_their_own_bound()
    {
        await using var collector = await Cluster.ConnectAsync(0, TestUsers.New("collector"));
        await using var host = await Cluster.ConnectAsync(1, TestUsers.New("host"));
        var hosted = await host.CreateChannelAsync("open to all");
        var friends = Enumerable.Range(0, ShippedLimitsClusterFixture.MaxChannelsPerUser).Select(i => TestUsers.New($"friend{i}")).ToArray();
        await DirectMessagePrivacy.OpenToEveryoneAsync(Cluster, [.. friends, host.UserId]);
        foreach (var friend in friends)
        {
            await collector.InvokeAsync<ChannelInfo>("OpenDirectMessage", friend);
        }

        await Refusals.AssertHubRefusesAsync(ErrorCodes.TooManyChannels, () => collector.InvokeAsync<ChannelInfo>("OpenDirectMessage", host.UserId));

        // Channels created without a server, or joined, are servers: the servers' bound (200) holds, not the channels'.
        var own = await collector.CreateChannelAsync("a server of its own");
        await collector.JoinChannelAsync(hosted.Id);
        await using var again = await Cluster.ConnectAsync(1, collector.UserId);
        var ready = await again.NextAsync<ReadyEvent>("Ready");
        Assert.Equal(ShippedLimitsClusterFixture.MaxChannelsPerUser, ready.Channels.Count(c => c.Channel.IsDirect));
        Assert.Equal(new[] { own.Id, hosted.Id }.Order(StringComparer.Ordinal), ready.Guilds!.Select(g => g.Guild.Id).Order(StringComparer.Ordinal));
        // The refused direct message was stored for neither.
        await using var hostAgain = await Cluster.ConnectAsync(0, host.UserId);
        Assert.DoesNotContain((await hostAgain.NextAsync<ReadyEvent>("Ready")).Channels, c => c.Channel.IsDirect);
        Assert.Equal(1, (await host.SendMessageAsync(hosted.Id, "the host still works")).Seq);
    }

    /// <summary>Calls into rate-limit grains so far, on the fixture's one silo.</summary>
    private async Task<double> RateLimitGrainCallsAsync() =>
        PrometheusText.Sum(await PrometheusText.ScrapeAsync(Http, Cluster.Silos[0].Url), "cryb_rate_limit_calls_total");

    private static async Task<(ChatMessage? Acked, HubException? Refused)> TrySendAsync(ChatTestClient client, string channelId, string content)
    {
        try
        {
            return (await client.SendMessageAsync(channelId, content, nonce: Guid.NewGuid().ToString("N")), null);
        }
        catch (HubException refusal)
        {
            return (null, refusal);
        }
    }

    /// <summary>Null when the call went through, else the refusal's code.</summary>
    private static async Task<string?> TryCallAsync(Task call)
    {
        try
        {
            await call;
            return null;
        }
        catch (HubException refusal)
        {
            return Refusals.CodeOf(refusal);
        }
    }

    /// <summary>Connects and returns the reason the server closed the connection with.</summary>
    [GeneratedRegex(@"retryAfterMs=(\d+)")]
    private static partial Regex RetryAfter();
}

/// <summary>A <c>GetMembers</c> row as a client reads it.</summary>
public sealed record MemberWithPresenceEvent(string UserId, ChannelRole Role, string? Status);
