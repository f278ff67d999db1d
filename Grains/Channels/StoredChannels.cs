using Npgsql;

namespace Cryb.Grains.Channels;

/// <summary>A place in the grain-state table's primary key order, after which the next page starts.</summary>
[GenerateSerializer, Alias("cryb.StoredChannelKey")]
public sealed record StoredChannelKey([property: Id(0)] long N0, [property: Id(1)] long N1, [property: Id(2)] string Extension)
{
    /// <summary>
    /// The channel's id: the storage keeps a key that reads as a GUID (every id <c>Ids.NewChannelId</c>
    /// makes) as its two halves with an empty extension, and any other key as its text.
    /// </summary>
    public string ChannelId => Extension.Length > 0
        ? Extension
        : new Guid([.. BitConverter.GetBytes(N0), .. BitConverter.GetBytes(N1)]).ToString("N");
}

/// <summary>
/// The channel grains that have state, read from the grain-state table for the sweep: rows of
/// state name <c>channel</c> with a payload, direct messages (ids <c>dm-…</c>) left out. Pages
/// follow the table's primary key (service, state name, key hash, key), a range read on its index
/// that locks nothing, so the sweep runs beside live traffic.
/// </summary>
public sealed class StoredChannels(NpgsqlDataSource dataSource)
{
    /// <summary>Up to <paramref name="limit"/> channels after <paramref name="after"/> (null: from the start), in key order.</summary>
    public async Task<IReadOnlyList<StoredChannelKey>> PageAsync(string serviceId, StoredChannelKey? after, int limit)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT grain_id_n0, grain_id_n1, grain_id_extension FROM orleans_grain_state
             WHERE service_id = $1 AND grain_type = 'channel'
               AND (grain_id_n0, grain_id_n1, grain_id_extension) > ($2, $3, $4)
               AND payload IS NOT NULL AND grain_id_extension NOT LIKE 'dm-%'
             ORDER BY grain_id_n0, grain_id_n1, grain_id_extension
             LIMIT $5
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = after?.N0 ?? long.MinValue });
        command.Parameters.Add(new NpgsqlParameter { Value = after?.N1 ?? long.MinValue });
        command.Parameters.Add(new NpgsqlParameter { Value = after?.Extension ?? "" });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var page = new List<StoredChannelKey>(limit);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            page.Add(new StoredChannelKey(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
        }

        return page;
    }
}
