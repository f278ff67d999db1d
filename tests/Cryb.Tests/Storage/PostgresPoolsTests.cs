using Cryb.Silo.Hosting;
using Npgsql;

namespace Cryb.Tests.Storage;

/// <summary>A silo's three pools must fit PostgreSQL's connections: capped unless the operator sets the size.</summary>
public sealed class PostgresPoolsTests
{
    [Fact]
    public void Each_pool_is_capped_so_three_silos_fit_under_300_connections()
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresPools.Apply("Host=db;Database=cryb"));

        Assert.Equal(PostgresPools.MaxPoolSize, applied.MaxPoolSize);
        Assert.True(3 * 3 * applied.MaxPoolSize <= 300 - 20, "three silos' pools leave no room under max_connections=300");
        Assert.Equal("db", applied.Host);
    }

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=12")]
    [InlineData("Host=db;MaxPoolSize=12")]
    public void A_size_the_connection_string_sets_is_kept(string connectionString) =>
        Assert.Equal(12, new NpgsqlConnectionStringBuilder(PostgresPools.Apply(connectionString)).MaxPoolSize);
}
