using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Cryb.Bench.Load.Guilds;

/// <summary>
/// A backend service's Orleans client, as docs/protocol.md's example connects one (the Redis
/// membership, the cluster id, a service account): the load tool seeds a server's members through
/// <see cref="IGuildGrain.ImportMembers"/>, the bulk path, instead of opening a connection per member.
/// </summary>
public sealed class MemberImporter : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ServiceCredential _credential;

    private MemberImporter(IHost host, ServiceCredential credential)
    {
        _host = host;
        _credential = credential;
    }

    public static async Task<MemberImporter> ConnectAsync(BackendAccess access, CancellationToken cancellation)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // The client's own lines would interleave with the tool's progress; its failures reach us as exceptions.
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = access.ClusterId;
                options.ServiceId = access.ClusterId;
            });
            client.UseRedisClustering(options => options.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(access.Redis));
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellation);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            host.Dispose();
            throw new BenchSetupException($"Could not connect the Orleans client to {access}: {ex.Message}", ex);
        }

        return new MemberImporter(host, new ServiceCredential(access.ServiceName, access.ServiceSecret));
    }

    /// <summary>
    /// Imports <paramref name="userIds"/> into <paramref name="guildId"/>, <paramref name="batch"/>
    /// at a time, one call after the other (the server's grain takes one at a time anyway); returns
    /// how many the server added.
    /// </summary>
    public async Task<int> ImportAsync(string guildId, IReadOnlyList<string> userIds, int batch, Action<int> progress, CancellationToken cancellation)
    {
        var guild = _host.Services.GetRequiredService<IClusterClient>().GetGrain<IGuildGrain>(guildId);
        var caller = Caller.Service(_credential);
        var added = 0;
        for (var offset = 0; offset < userIds.Count; offset += batch)
        {
            cancellation.ThrowIfCancellationRequested();
            added += await guild.ImportMembers(caller, userIds.Skip(offset).Take(batch).ToArray());
            progress(added);
        }

        return added;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
