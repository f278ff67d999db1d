using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cryb.Hosting;

/// <summary>
/// How long a stopping host may take (configuration section <c>Shutdown</c>). On SIGTERM a gateway
/// closes its SignalR connections (clients reconnect elsewhere) and a silo leaves the cluster
/// gracefully: it deactivates its grains, hands over its stream queues and marks itself dead in
/// membership, so no other silo has to wait to declare it dead. Past this timeout the stop is no
/// longer graceful. Keep it shorter than the orchestrator's grace period (Kubernetes'
/// <c>terminationGracePeriodSeconds</c>, compose's <c>stop_grace_period</c>), which ends in SIGKILL.
/// </summary>
public sealed class ShutdownSettings
{
    public const string Section = "Shutdown";

    /// <summary>The host's <see cref="HostOptions.ShutdownTimeout"/>; .NET's default is 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

public static class ShutdownExtensions
{
    /// <summary>Applies <c>Shutdown:Timeout</c> to the host (environment variable <c>Shutdown__Timeout</c>).</summary>
    public static WebApplicationBuilder AddCrybShutdown(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.BindValidated<ShutdownSettings>(ShutdownSettings.Section);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = settings.Timeout);
        return builder;
    }
}
