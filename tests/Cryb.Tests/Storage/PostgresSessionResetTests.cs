using Cryb.Silo.Hosting;
using Npgsql;

namespace Cryb.Tests.Storage;

/// <summary>A pooled connection goes back without the seven-statement session reset, unless the operator asks for it.</summary>
public sealed class PostgresSessionResetTests
{
    [Fact]
    public void Pooled_connections_skip_the_session_reset_unless_the_connection_string_asks_for_it()
    {
        Assert.True(new NpgsqlConnectionStringBuilder(PostgresSessionReset.Apply("Host=db")).NoResetOnClose);
        Assert.False(new NpgsqlConnectionStringBuilder(PostgresSessionReset.Apply("Host=db;No Reset On Close=false")).NoResetOnClose);
    }
}
