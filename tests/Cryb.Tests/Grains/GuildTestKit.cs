using Cryb.Guilds;
using Cryb.Identity;
using Npgsql;
using Orleans.Streams;

namespace Cryb.Tests.Grains;

/// <summary>
/// What the server tests share: fresh server ids and users (the user grains live as long as the
/// cluster, and a user's servers count against their limit), and the server's rows in PostgreSQL.
/// </summary>
internal sealed class GuildTestKit(IClusterClient client, NpgsqlDataSource database)
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];

    public IGuildGrain NewGuild() => client.GetGrain<IGuildGrain>(Ids.NewChannelId());

    public IGuildInvitesGrain Invites => client.GetGrain<IGuildInvitesGrain>(0);

    /// <summary>A user of this test alone, through the test gateway.</summary>
    public Caller User(string name) => Infrastructure.TestAccounts.User($"{name}-{_suffix}");

    /// <summary>A server owned by <paramref name="owner"/>, with <paramref name="members"/> joined through one invite.</summary>
    public async Task<(IGuildGrain Guild, GuildState Created)> GuildWithAsync(Caller owner, params Caller[] members)
    {
        var guild = NewGuild();
        var created = await guild.Create(owner, "server");
        if (members.Length > 0)
        {
            var invite = await guild.CreateInvite(owner, 0, 0);
            foreach (var member in members)
            {
                await Invites.Join(member, invite.Code);
            }
        }

        return (guild, created);
    }

    /// <summary>Subscribes to the server's stream before returning; the events are read in order with a timeout.</summary>
    public async Task<GuildEvents> SubscribeAsync(IGuildGrain guild)
    {
        var events = System.Threading.Channels.Channel.CreateUnbounded<GuildEvent>();
        var stream = client.GetStreamProvider(StreamNames.Provider)
            .GetStream<GuildEvent>(StreamId.Create(StreamNames.Guild, guild.GetPrimaryKeyString()));
        var subscription = await stream.SubscribeAsync((item, _) => events.Writer.WriteAsync(item).AsTask());
        return new GuildEvents(events.Reader, subscription);
    }

    public async Task<long> CountRowsAsync(string table, string guildId)
    {
        await using var command = database.CreateCommand($"SELECT count(*) FROM {table} WHERE guild_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = guildId });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<int> InviteUsesAsync(string code)
    {
        await using var command = database.CreateCommand("SELECT uses FROM guild_invites WHERE code = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = code });
        return (int)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>The events of one server's stream as the test client hears them.</summary>
internal sealed class GuildEvents(System.Threading.Channels.ChannelReader<GuildEvent> events, StreamSubscriptionHandle<GuildEvent> subscription) : IAsyncDisposable
{
    /// <summary>The next event of type <typeparamref name="T"/> (others skipped), or a timeout naming <paramref name="what"/>.</summary>
    public Task<T> NextAsync<T>(string what) where T : GuildEvent => NextAsync<T>(what, TimeSpan.FromSeconds(10));

    /// <summary>The next event of type <typeparamref name="T"/> within <paramref name="wait"/>, or a timeout naming <paramref name="what"/>.</summary>
    public async Task<T> NextAsync<T>(string what, TimeSpan wait) where T : GuildEvent
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            while (true)
            {
                if (await events.ReadAsync(timeout.Token) is T wanted)
                {
                    return wanted;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"Waited {wait.TotalSeconds} s for {what}.");
        }
    }

    /// <summary>The next <paramref name="count"/> events, whatever their type.</summary>
    public async Task<IReadOnlyList<GuildEvent>> TakeAsync(int count)
    {
        var taken = new List<GuildEvent>();
        while (taken.Count < count)
        {
            taken.Add(await NextAsync<GuildEvent>($"server event {taken.Count + 1} of {count}"));
        }

        return taken;
    }

    public async ValueTask DisposeAsync() => await subscription.UnsubscribeAsync();
}
