using Cryb.Silo.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cryb.Tests.Storage;

/// <summary>Every wait on PostgreSQL fits in a grain call, whatever the operator's connection string leaves out.</summary>
public sealed class PostgresTimeoutsTests
{
    [Fact]
    public void Timeouts_the_connection_string_leaves_out_are_bounded_and_gss_is_off()
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresTimeouts.Apply("Host=db;Username=cryb;Password=secret"));

        Assert.Equal(PostgresTimeouts.ConnectSeconds, applied.Timeout);
        Assert.Equal(PostgresTimeouts.CommandSeconds, applied.CommandTimeout);
        Assert.Equal(PostgresTimeouts.CancellationMilliseconds, applied.CancellationTimeout);
        Assert.Equal(GssEncryptionMode.Disable, applied.GssEncryptionMode);
        Assert.Equal("secret", applied.Password);
    }

    [Fact]
    public void Timeouts_the_operator_chose_are_kept_when_they_fit()
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresTimeouts.Apply("Host=db;timeout=3;CommandTimeout=12;Cancellation Timeout=-1;GSS Encryption Mode=Prefer"));

        Assert.Equal(3, applied.Timeout);
        Assert.Equal(12, applied.CommandTimeout);
        Assert.Equal(-1, applied.CancellationTimeout);
        Assert.Equal(GssEncryptionMode.Prefer, applied.GssEncryptionMode);
    }

    [Theory]
    [InlineData("Host=db;Command Timeout=30")]
    [InlineData("Host=db;Command Timeout=0")]
    [InlineData("Host=db;Timeout=0")]
    [InlineData("Host=db;Cancellation Timeout=0")]
    [InlineData("Host=db;Timeout=8;Command Timeout=10;GSS Encryption Mode=Prefer")]
    public void Timeouts_that_could_outlast_a_grain_call_stop_the_silo_naming_the_setting(string connectionString)
    {
        var refusal = Assert.Throws<OptionsValidationException>(() => PostgresTimeouts.Apply(connectionString));

        Assert.Contains("ConnectionStrings__Postgres", refusal.Message);
        Assert.Contains("storage_unavailable", refusal.Message);
    }
}
