using System.Collections.Concurrent;

namespace Cryb.Bench.Load;

/// <summary>
/// The connected clients of a run and the channels they form, set up with a bounded number of
/// calls in flight before anything is measured. Any setup failure aborts the run with the
/// failures counted by code: a half-built shape would measure something else.
/// </summary>
public sealed class ClientFleet(BenchContext context) : IAsyncDisposable
{
    private readonly List<BenchClient> _clients = [];

    /// <summary>Each user's token, for a user who connects again (a dev token lasts 12 hours, longer than any run).</summary>
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public IReadOnlyList<BenchClient> Clients => _clients;

    /// <summary>Fetches tokens for <paramref name="userIds"/> and connects each to <paramref name="gatewayOf"/>(i), waiting for Ready.</summary>
    public async Task<IReadOnlyList<BenchClient>> ConnectAsync(IReadOnlyList<string> userIds, Func<int, string> gatewayOf, CancellationToken cancellation)
    {
        var tokens = await DevTokens.FetchAsync(context.Gateways, userIds, context.SetupConcurrency, cancellation);
        var clients = userIds.Select((userId, i) => BenchClient.Create(context, gatewayOf(i), userId, _tokens[userId] = tokens[i])).ToArray();
        lock (_clients)
        {
            _clients.AddRange(clients);
        }

        await RunAllAsync($"connecting {clients.Length} clients", clients, (client, token) => client.ConnectAsync(context.ConnectTimeout, token), cancellation);
        return clients;
    }

    /// <summary>
    /// Channels for a run's members: <paramref name="count"/> owners each create one, send
    /// <paramref name="messagesEach"/> messages into it and disconnect, so the members meet channels
    /// whose owners are away (and, with messages, unread ones). Returns the ids in order.
    /// </summary>
    public static async Task<string[]> CreateOwnedChannelsAsync(BenchContext context, int count, int messagesEach, CancellationToken cancellation)
    {
        await using var owners = new ClientFleet(context);
        var ownerClients = await owners.ConnectAsync(Enumerable.Range(0, count).Select(i => context.UserId("owner", i)).ToArray(), context.Gateway, cancellation);
        var channelIds = await owners.CreateChannelsAsync(ownerClients, cancellation);
        if (messagesEach > 0)
        {
            await owners.SendAsync([.. ownerClients.SelectMany((owner, i) => Enumerable.Repeat((owner, channelIds[i]), messagesEach))], cancellation);
        }

        return channelIds;
    }

    /// <summary>
    /// The joins that make member <c>u</c> (counting from <paramref name="firstIndex"/>) a member of
    /// channels <c>u×n … u×n+n−1</c> (mod the channel count), n = <paramref name="perMember"/>:
    /// channels shared by many members, every one of them used.
    /// </summary>
    public static (BenchClient Client, string ChannelId)[] SpreadMemberships(IReadOnlyList<BenchClient> members, int firstIndex, IReadOnlyList<string> channelIds, int perMember) =>
        [.. members.SelectMany((client, i) => Enumerable.Range(0, perMember)
            .Select(j => (client, channelIds[((firstIndex + i) * perMember + j) % channelIds.Count])))];

    /// <summary>Each owner creates one public channel named after the run; returns their ids in order.</summary>
    public async Task<string[]> CreateChannelsAsync(IReadOnlyList<BenchClient> owners, CancellationToken cancellation)
    {
        var ids = new string[owners.Count];
        await RunAllAsync(
            $"creating {owners.Count} channels",
            Enumerable.Range(0, owners.Count).ToArray(),
            async (i, token) => ids[i] = await owners[i].CreateChannelAsync($"bench-{context.RunId}-{i}", token),
            cancellation);
        return ids;
    }

    public Task JoinAsync(IReadOnlyList<(BenchClient Client, string ChannelId)> joins, CancellationToken cancellation) =>
        RunAllAsync($"{joins.Count} joins", joins, (join, token) => join.Client.JoinChannelAsync(join.ChannelId, token), cancellation);

    /// <summary>Each pair's client sends one message into the channel (setup: history for the members to find unread).</summary>
    private Task SendAsync(IReadOnlyList<(BenchClient Client, string ChannelId)> sends, CancellationToken cancellation) =>
        RunAllAsync($"{sends.Count} messages", sends, (send, _) => send.Client.SendAsync(send.ChannelId, "setup", Guid.NewGuid().ToString("N")), cancellation);

    /// <summary>Closes one client's connection, as its user leaving would.</summary>
    public async Task CloseAsync(BenchClient client)
    {
        lock (_clients)
        {
            _clients.Remove(client);
        }

        await client.DisposeAsync();
    }

    /// <summary>A new, not yet connected client of <paramref name="departed"/>'s user on <paramref name="gatewayUrl"/>, with the same token.</summary>
    public BenchClient Reopen(BenchClient departed, string gatewayUrl)
    {
        var client = BenchClient.Create(context, gatewayUrl, departed.UserId, _tokens[departed.UserId]);
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeAllAsync(_clients, context.SetupConcurrency);
        _clients.Clear();
    }

    /// <summary>Closes connections, a bounded number at a time.</summary>
    public static Task DisposeAllAsync(IEnumerable<BenchClient> clients, int concurrency) =>
        Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, (client, _) => client.DisposeAsync());

    private async Task RunAllAsync<T>(string what, IReadOnlyList<T> items, Func<T, CancellationToken, Task> action, CancellationToken cancellation)
    {
        var errors = new ErrorCounter();
        Exception? first = null;
        var started = DateTime.UtcNow;
        await Parallel.ForEachAsync(
            items,
            new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency, CancellationToken = cancellation },
            async (item, token) =>
            {
                try
                {
                    await action(item, token);
                }
                catch (Exception ex) when (!cancellation.IsCancellationRequested)
                {
                    errors.Add(ex);
                    Interlocked.CompareExchange(ref first, ex, null);
                }
            });
        if (first is not null)
        {
            throw new BenchSetupException($"Setup failed while {what}: {errors.Summary()}. First failure: {first.Message}", first);
        }

        context.Log($"{what}: done in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
    }
}
