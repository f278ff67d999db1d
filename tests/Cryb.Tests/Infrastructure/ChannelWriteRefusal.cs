using Npgsql;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// Makes every write of one channel grain's state fail, with a trigger on the grain-state table,
/// until disposed: a crash between two steps that write different rows, with nothing else stopped.
/// </summary>
public sealed class ChannelWriteRefusal : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _name;

    private ChannelWriteRefusal(NpgsqlDataSource dataSource, string name) => (_dataSource, _name) = (dataSource, name);

    public static async Task<ChannelWriteRefusal> TakeAsync(NpgsqlDataSource dataSource, string channelId)
    {
        var name = $"refuse_{Guid.NewGuid():N}";
        // A key that reads as a GUID is stored as its two halves, any other in the extension column.
        var (n0, n1) = Guid.TryParseExact(channelId, "N", out var guid)
            ? (BitConverter.ToInt64(guid.ToByteArray(), 0), BitConverter.ToInt64(guid.ToByteArray(), 8))
            : (0L, 0L);
        await using var command = dataSource.CreateCommand($"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'channel write refused by the test'; END $$;
            CREATE TRIGGER {name} BEFORE UPDATE ON orleans_grain_state FOR EACH ROW
              WHEN (OLD.grain_type = 'channel' AND (OLD.grain_id_extension = '{channelId}' OR (OLD.grain_id_n0 = {n0} AND OLD.grain_id_n1 = {n1} AND OLD.grain_id_extension = ''))) EXECUTE FUNCTION {name}();
            """);
        await command.ExecuteNonQueryAsync();
        return new ChannelWriteRefusal(dataSource, name);
    }

    public async ValueTask DisposeAsync()
    {
        await using var command = _dataSource.CreateCommand($"DROP TRIGGER {_name} ON orleans_grain_state; DROP FUNCTION {_name}();");
        await command.ExecuteNonQueryAsync();
    }
}
