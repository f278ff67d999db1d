using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A backend service's Orleans client on a process cluster, found through the cluster's Redis
/// membership as the backend-service example in docs/protocol.md does.
/// </summary>
public sealed class ServiceClient : IAsyncDisposable
{
    private readonly IHost _host;

    private ServiceClient(IHost host) => _host = host;

    public IClusterClient Cluster => _host.Services.GetRequiredService<IClusterClient>();

    public static async Task<ServiceClient> ConnectAsync(string clusterId, string redis)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = clusterId;
            });
            client.UseRedisClustering(options => options.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis));
        });
        var host = builder.Build();
        await host.StartAsync();
        return new ServiceClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
