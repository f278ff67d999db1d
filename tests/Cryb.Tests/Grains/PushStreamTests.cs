using System.Threading.Channels;
using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Streaming;
using Cryb.Tests.Infrastructure;
using Orleans.Streams;

namespace Cryb.Tests.Grains;

/// <summary>
/// Cryb's push streams on the two-silo test cluster: the owner grain pushes each batch straight to
/// its subscribers, subscriptions are soft state (no write to PostgreSQL, gone with the owner's
/// activation), and only gateways subscribe while only grains publish.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PushStreamTests(ClusterFixture fixture)
{
    private static readonly Caller Alice = TestAccounts.User("alice");

    private IStreamProvider Streams => fixture.Client.GetStreamProvider(StreamNames.Provider);

    [Fact]
    public async Task A_subscription_writes_nothing_to_postgres_and_a_burst_arrives_in_seq_order()
    {
        var channel = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        var info = await channel.Create(Alice, "push", isPrivate: false);
        var writesBefore = await GrainStateWritesAsync();

        var received = Channel.CreateUnbounded<ChannelEvent>();
        var stream = Streams.GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, info.Id));
        var subscription = await stream.SubscribeAsync((item, _) => received.Writer.WriteAsync(item).AsTask());
        var sent = await Task.WhenAll(Enumerable.Range(1, 50).Select(i => channel.SendMessage(Alice, new SendMessageRequest($"burst {i}"))));

        var pushed = new List<long>();
        while (pushed.Count < sent.Length)
        {
            var next = await received.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            pushed.Add(Assert.IsType<MessageCreated>(next).Message.Seq);
        }

        Assert.Equal(Enumerable.Range(1, 50).Select(seq => (long)seq), pushed);
        Assert.Equal(writesBefore, await GrainStateWritesAsync());
        await subscription.UnsubscribeAsync();
    }

    [Fact]
    public async Task A_new_activation_of_the_owner_holds_no_subscription_and_a_renewed_one_is_pushed_to_again()
    {
        var channel = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        var info = await channel.Create(Alice, "renewed", isPrivate: false);
        var received = Channel.CreateUnbounded<ChannelEvent>();
        var stream = Streams.GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, info.Id));
        var subscription = await stream.SubscribeAsync((item, _) => received.Writer.WriteAsync(item).AsTask());
        Assert.Equal([subscription], await stream.GetAllSubscriptionHandles());

        await fixture.Cluster.DeactivateAsync(channel);

        Assert.Empty(await stream.GetAllSubscriptionHandles());
        await channel.SendMessage(Alice, new SendMessageRequest("pushed to nobody"));
        await subscription.UnsubscribeAsync();
        subscription = await stream.SubscribeAsync((item, _) => received.Writer.WriteAsync(item).AsTask());
        var sent = await channel.SendMessage(Alice, new SendMessageRequest("pushed again"));

        var next = await received.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(sent, Assert.IsType<MessageCreated>(next).Message);
        Assert.Equal(2, sent.Seq);
        await subscription.UnsubscribeAsync();
    }

    [Fact]
    public async Task An_unsubscribe_that_arrives_after_a_newer_subscribe_leaves_the_newer_one()
    {
        var channel = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        var info = await channel.Create(Alice, "late unsubscribe", isPrivate: false);
        var streamId = StreamId.Create(StreamNames.Channel, info.Id);
        var consumer = new RecordingConsumer();
        var reference = fixture.Client.CreateObjectReference<IStreamConsumer>(consumer);
        var owner = StreamOwners.Of(fixture.Client, streamId);
        var older = new StreamSubscription(reference, Guid.NewGuid(), TimeSpan.FromMinutes(5));
        var newer = older with { Id = Guid.NewGuid() };

        await owner.Subscribe(TestAccounts.Gateway, streamId, older);
        await owner.Subscribe(TestAccounts.Gateway, streamId, newer);
        await owner.Unsubscribe(TestAccounts.Gateway, streamId, older);

        Assert.False(await owner.Renew(TestAccounts.Gateway, streamId, older));
        Assert.True(await owner.Renew(TestAccounts.Gateway, streamId, newer));
        var sent = await channel.SendMessage(Alice, new SendMessageRequest("still subscribed"));
        var batch = await consumer.Batches.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(sent, Assert.IsType<MessageCreated>(Assert.Single(batch.Items)).Message);

        await owner.Unsubscribe(TestAccounts.Gateway, streamId, newer);
        Assert.False(await owner.Renew(TestAccounts.Gateway, streamId, newer));
    }

    [Fact]
    public async Task An_owner_that_deactivates_tells_its_subscribers_to_subscribe_again()
    {
        var channel = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        var info = await channel.Create(Alice, "leaving", isPrivate: false);
        var streamId = StreamId.Create(StreamNames.Channel, info.Id);
        var consumer = new RecordingConsumer();
        var subscription = new StreamSubscription(fixture.Client.CreateObjectReference<IStreamConsumer>(consumer), Guid.NewGuid(), TimeSpan.FromMinutes(5));
        await StreamOwners.Of(fixture.Client, streamId).Subscribe(TestAccounts.Gateway, streamId, subscription);

        await fixture.Cluster.DeactivateAsync(channel);

        var left = await consumer.Left.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal((streamId, subscription.Id), left);
    }

    [Fact]
    public async Task Only_gateway_accounts_subscribe_and_no_client_publishes()
    {
        var channel = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        var info = await channel.Create(Alice, "guarded", isPrivate: true);
        var streamId = StreamId.Create(StreamNames.Channel, info.Id);
        var consumer = new RecordingConsumer();
        var subscription = new StreamSubscription(fixture.Client.CreateObjectReference<IStreamConsumer>(consumer), Guid.NewGuid(), TimeSpan.FromMinutes(5));
        var owner = StreamOwners.Of(fixture.Client, streamId);

        // A backend service granted the method is still refused: a subscriber sees every event of
        // the stream, past the membership checks the service's own calls go through.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => owner.Subscribe(TestAccounts.WelcomeBot, streamId, subscription));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => owner.Subscribe(TestAccounts.Gateway with { Secret = new string('x', 48) }, streamId, subscription));
        // Publishing is silo-internal: a client cannot forge a channel's events.
        var forged = new MessageCreated(new ChatMessage(Guid.NewGuid().ToString(), info.Id, 99, "alice", "forged", null, null, DateTimeOffset.UtcNow, null, 99, false, [], null, []));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => owner.Publish(streamId, new StreamBatch([forged])));

        await owner.Subscribe(TestAccounts.Gateway, streamId, subscription);
        var sent = await channel.SendMessage(Alice, new SendMessageRequest("real"));
        var batch = await consumer.Batches.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(sent, Assert.IsType<MessageCreated>(Assert.Single(batch.Items)).Message);
        Assert.Equal(0, consumer.Batches.Reader.Count);
        await owner.Unsubscribe(TestAccounts.Gateway, streamId, subscription);
    }

    /// <summary>Grain state rows of this cluster written so far: any write (PubSub included) changes the sum of versions.</summary>
    private async Task<long> GrainStateWritesAsync()
    {
        await using var command = fixture.Servers.DataSource.CreateCommand(
            "SELECT count(*) + coalesce(sum(version), 0) FROM orleans_grain_state WHERE service_id = $1");
        command.Parameters.Add(new() { Value = fixture.Cluster.Options.ServiceId });
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private sealed class RecordingConsumer : IStreamConsumer
    {
        public Channel<StreamBatch> Batches { get; } = Channel.CreateUnbounded<StreamBatch>();

        public Channel<(StreamId StreamId, Guid SubscriptionId)> Left { get; } = Channel.CreateUnbounded<(StreamId, Guid)>();

        public Task Deliver(StreamId streamId, Guid subscriptionId, long number, StreamBatch batch) => Batches.Writer.WriteAsync(batch).AsTask();

        public Task OwnerLeft(StreamId streamId, Guid subscriptionId) => Left.Writer.WriteAsync((streamId, subscriptionId)).AsTask();
    }
}
