using Npgsql;

namespace Cryb.Tests.Cluster;

/// <summary>
/// The one definition of a local cluster (testing/Cryb.Testing): the profiles' deliberate
/// differences reach the servers and hosts, and a cluster's own settings win over everything.
/// </summary>
public sealed class ClusterDefinitionTests
{
    private static HostEnvironment Environment(ClusterProfile profile, Dictionary<string, string>? settings = null) => new()
    {
        Profile = profile,
        Postgres = "Host=127.0.0.1;Port=1;Username=postgres;Database=cryb",
        Redis = "127.0.0.1:2",
        GatewaySecret = "a-gateway-secret-that-is-at-least-32-chars",
        SigningKey = "a-signing-key-that-is-at-least-32-bytes-long",
        Settings = settings ?? [],
    };

    [Theory]
    [InlineData("up", "on")]
    [InlineData("bench", "on")]
    [InlineData("tests", "off")]
    [InlineData("chaos", "off")]
    public async Task PostgreSQL_flushes_to_disk_only_where_the_profile_needs_to_survive_a_crash(string profile, string fsync)
    {
        await using var postgres = await PostgresServer.StartNewAsync(Profiles.Single(candidate => candidate.Name == profile));
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString());
        await using var command = dataSource.CreateCommand("SHOW fsync");

        Assert.Equal(fsync, await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Bench_raises_every_rate_limit_for_the_silos_and_up_keeps_them_as_shipped()
    {
        var bench = Environment(ClusterProfile.Bench).Silo();

        Assert.Equal(6, bench.Keys.Count(key => key.StartsWith("RateLimits__", StringComparison.Ordinal)));
        Assert.All(bench.Where(pair => pair.Key.StartsWith("RateLimits__", StringComparison.Ordinal)), pair => Assert.Equal("100000", pair.Value));
        Assert.DoesNotContain(Environment(ClusterProfile.Up).Silo().Keys, key => key.StartsWith("RateLimits__", StringComparison.Ordinal));
        Assert.DoesNotContain(Environment(ClusterProfile.Bench).Gateway().Keys, key => key.StartsWith("RateLimits__", StringComparison.Ordinal));
    }

    [Fact]
    public void A_clusters_own_settings_win_over_its_profile_and_the_shared_definition()
    {
        var environment = Environment(ClusterProfile.Bench, new()
        {
            ["RateLimits__Messages__PerSecond"] = "7",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Auth__DevTokens__Enabled"] = "false",
        });

        var silo = environment.Silo();
        var gateway = environment.Gateway();

        Assert.Equal("7", silo["RateLimits__Messages__PerSecond"]);
        Assert.Equal("100000", silo["RateLimits__Calls__PerSecond"]);
        Assert.Equal("Production", silo["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("Production", gateway["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("false", gateway["Auth__DevTokens__Enabled"]);
    }

    [Fact]
    public void The_gateways_present_the_account_the_silos_declare()
    {
        var environment = Environment(ClusterProfile.Up);

        var silo = environment.Silo();
        var gateway = environment.Gateway();

        Assert.Equal(silo[$"Security__Services__{gateway["Security__ServiceName"]}__Secret"], gateway["Security__ServiceSecret"]);
        Assert.Equal("true", silo[$"Security__Services__{gateway["Security__ServiceName"]}__ActAsUsers"]);
        Assert.Equal(environment.Postgres, silo["ConnectionStrings__Postgres"]);
        Assert.Equal(environment.Redis, gateway["ConnectionStrings__Redis"]);
        Assert.Equal("false", silo["Silo__MigrateOnStart"]);
    }

    [Fact]
    public void Bench_declares_the_importer_account_granted_only_the_bulk_import_with_a_secret_of_its_own()
    {
        var environment = Environment(ClusterProfile.Bench);
        var account = ClusterProfile.BenchImporter;

        var silo = environment.Silo();

        Assert.Equal(environment.ServiceSecret(account), silo[$"Security__Services__{account}__Secret"]);
        Assert.Equal("IGuildGrain.ImportMembers", silo[$"Security__Services__{account}__Grants__0"]);
        Assert.DoesNotContain($"Security__Services__{account}__Grants__1", silo.Keys);
        Assert.DoesNotContain($"Security__Services__{account}__ActAsUsers", silo.Keys);
        Assert.True(environment.ServiceSecret(account).Length >= 32);
        Assert.NotEqual(environment.GatewaySecret, environment.ServiceSecret(account));
        Assert.NotEqual(environment.ServiceSecret(account), (environment with { GatewaySecret = "another-gateway-secret-at-least-32-chars" }).ServiceSecret(account));
        Assert.DoesNotContain(environment.Gateway().Keys, key => key.Contains(account, StringComparison.Ordinal));
        Assert.DoesNotContain(Environment(ClusterProfile.Up).Silo().Keys, key => key.Contains(account, StringComparison.Ordinal));
    }

    [Fact]
    public void Bench_turns_voice_on_for_silos_and_gateways_with_a_LiveKit_the_hosts_accept_and_the_other_profiles_leave_it_off()
    {
        var bench = Environment(ClusterProfile.Bench);

        foreach (var host in new[] { bench.Silo(), bench.Gateway() })
        {
            var options = new Cryb.Hosting.LiveKit.LiveKitOptions
            {
                Url = host["Voice__LiveKit__Url"],
                ApiKey = host["Voice__LiveKit__ApiKey"],
                ApiSecret = host["Voice__LiveKit__ApiSecret"],
            };
            // What the hosts' ValidateOnStart checks: a half or bad configuration would stop them.
            Assert.Empty(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
        }

        foreach (var profile in Profiles.Where(profile => profile != ClusterProfile.Bench))
        {
            Assert.DoesNotContain(Environment(profile).Silo().Keys, key => key.StartsWith("Voice__", StringComparison.Ordinal));
            Assert.DoesNotContain(Environment(profile).Gateway().Keys, key => key.StartsWith("Voice__", StringComparison.Ordinal));
        }
    }

    private static readonly ClusterProfile[] Profiles = [ClusterProfile.Up, ClusterProfile.Bench, ClusterProfile.Tests, ClusterProfile.Chaos];
}
