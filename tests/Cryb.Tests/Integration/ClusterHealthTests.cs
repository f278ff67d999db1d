using System.Net;
using System.Text.Json;
using Cryb.Tests.Infrastructure;
using StackExchange.Redis;

namespace Cryb.Tests.Integration;

/// <summary>Membership in Redis and the health probes, on silo and gateway processes.</summary>
public sealed class ClusterHealthTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Silos_register_in_redis_and_each_sees_both_active()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Servers.Redis.Configuration);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var clusterId = fixture.Cluster.ClusterId;

        Assert.NotEmpty(server.Keys(pattern: $"*{clusterId}*"));
        foreach (var silo in fixture.Cluster.Silos)
        {
            var ready = await ReadyAsync(silo.Url);
            Assert.Equal("Healthy", ready.GetProperty("status").GetString());
            Assert.Contains("2 active silo(s)", ready.GetProperty("checks").GetProperty("membership").GetProperty("description").GetString());
        }
    }

    [Fact]
    public async Task Gateways_report_ready_with_the_cluster_and_redis_checks()
    {
        foreach (var gateway in fixture.Cluster.Gateways)
        {
            var ready = await ReadyAsync(gateway.Url);
            var checks = ready.GetProperty("checks");
            Assert.Equal("Healthy", checks.GetProperty("orleans").GetProperty("status").GetString());
            Assert.Equal("Healthy", checks.GetProperty("redis").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Liveness_answers_without_checking_dependencies()
    {
        foreach (var process in fixture.Cluster.Silos.Concat(fixture.Cluster.Gateways))
        {
            using var response = await Http.GetAsync($"{process.Url}/health/live", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
            Assert.Empty(body.GetProperty("checks").EnumerateObject());
        }
    }

    [Fact]
    public async Task The_dashboard_is_served_by_the_silos()
    {
        using var response = await Http.GetAsync($"{fixture.Cluster.Silos[0].Url}/dashboard/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<JsonElement> ReadyAsync(string url)
    {
        using var response = await Http.GetAsync($"{url}/health/ready", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
    }
}
