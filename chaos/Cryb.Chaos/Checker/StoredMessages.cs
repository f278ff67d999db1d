using Npgsql;

namespace Cryb.Chaos.Checker;

/// <summary>What PostgreSQL holds for the run's channels: the truth acknowledgements and deliveries are checked against.</summary>
public sealed class StoredMessages
{
    private readonly Dictionary<(string ChannelId, string AuthorId, string Nonce), long> _byNonce = [];
    private readonly Dictionary<string, SortedSet<long>> _seqs = new(StringComparer.Ordinal);

    private StoredMessages()
    {
    }

    /// <summary>Rows sharing a (channel, author, nonce) or a (channel, seq) with another: each beyond the first counts.</summary>
    public long Duplicates { get; private set; }

    public static Task<StoredMessages> LoadAsync(NpgsqlDataSource dataSource, IReadOnlyList<string> channelIds) =>
        WithRetriesAsync(() => LoadOnceAsync(dataSource, channelIds));

    /// <summary>Per channel, the highest seq stored now (a cheap query for the drain loop).</summary>
    public static Task<Dictionary<string, long>> MaxSeqsAsync(NpgsqlDataSource dataSource, IReadOnlyList<string> channelIds) =>
        WithRetriesAsync(() => MaxSeqsOnceAsync(dataSource, channelIds));

    /// <summary>
    /// The checker's own queries right after a PostgreSQL fault may meet a pooled connection the
    /// server already closed; a few tries get a fresh one.
    /// </summary>
    private static async Task<T> WithRetriesAsync<T>(Func<Task<T>> query)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await query();
            }
            catch (NpgsqlException) when (attempt < 20)
            {
                await Task.Delay(500);
            }
        }
    }

    private static async Task<StoredMessages> LoadOnceAsync(NpgsqlDataSource dataSource, IReadOnlyList<string> channelIds)
    {
        var stored = new StoredMessages();
        foreach (var channelId in channelIds)
        {
            stored._seqs[channelId] = [];
        }

        await using var command = dataSource.CreateCommand(
            "SELECT channel_id, seq, author_id, nonce FROM messages WHERE channel_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = channelIds.ToArray() });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var channelId = reader.GetString(0);
            var seq = reader.GetInt64(1);
            if (!stored._seqs[channelId].Add(seq))
            {
                stored.Duplicates++;
            }

            if (!reader.IsDBNull(3) && !stored._byNonce.TryAdd((channelId, reader.GetString(2), reader.GetString(3)), seq))
            {
                stored.Duplicates++;
            }
        }

        return stored;
    }

    /// <summary>The highest seq stored in the channel, 0 if none.</summary>
    public long MaxSeq(string channelId) => _seqs[channelId].Count == 0 ? 0 : _seqs[channelId].Max;

    /// <summary>Seqs stored in the channel above <paramref name="after"/>.</summary>
    public IEnumerable<long> SeqsAfter(string channelId, long after) => _seqs[channelId].GetViewBetween(after + 1, long.MaxValue);

    /// <summary>Seqs missing between 1 and the highest stored: the channel's seq must be gapless.</summary>
    public long Holes(string channelId) => MaxSeq(channelId) - _seqs[channelId].Count;

    /// <summary>The seq stored under a nonce, or null when nothing is.</summary>
    public long? SeqOf(string channelId, string authorId, string nonce) =>
        _byNonce.TryGetValue((channelId, authorId, nonce), out var seq) ? seq : null;

    private static async Task<Dictionary<string, long>> MaxSeqsOnceAsync(NpgsqlDataSource dataSource, IReadOnlyList<string> channelIds)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT channel_id, max(seq) FROM messages WHERE channel_id = ANY($1) GROUP BY channel_id");
        command.Parameters.Add(new NpgsqlParameter { Value = channelIds.ToArray() });
        var result = channelIds.ToDictionary(id => id, _ => 0L, StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }

        return result;
    }
}
