using System.Reflection;
using System.Text.RegularExpressions;
using Cryb.Gateway.Auth;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Hosting;
using Cryb.Grains.Guilds;
using Cryb.Grains.Limits;
using Cryb.Grains.Notifications.Push;
using Cryb.Grains.Presence;
using Cryb.Grains.Security;
using Cryb.Grains.Typing;
using Cryb.Hosting;
using Cryb.Hosting.LiveKit;
using Cryb.Silo.Dashboard;
using Cryb.Silo.Hosting;

namespace Cryb.Tests.Deploy;

/// <summary>What runs in a container: a silo, a gateway, or the one-shot <c>Cryb.Silo migrate</c>.</summary>
public enum HostRole
{
    Silo,
    Gateway,
    Migrate,
}

/// <summary>
/// The environment variables each host reads, derived by reflection from the settings and options
/// classes it binds (so a renamed or new setting changes what the deploy files may say), plus the
/// framework's own variables. Names are case-insensitive, as .NET configuration is.
/// </summary>
public static class HostSettings
{
    /// <summary>Settings read without an options class (<c>configuration.GetValue</c>), by host.</summary>
    private static readonly Dictionary<HostRole, string[]> Loose = new()
    {
        // ServiceDefaults/Telemetry/TelemetryExtensions.cs.
        [HostRole.Silo] = ["Telemetry__TraceSampleRatio"],
        // Gateway/Presence/PresenceHeartbeat.cs; ServiceDefaults/Telemetry/TelemetryExtensions.cs.
        [HostRole.Gateway] = ["Presence__HeartbeatInterval", "Telemetry__TraceSampleRatio"],
        [HostRole.Migrate] = [],
    };

    private static readonly Dictionary<HostRole, (string Section, Type Type)[]> Bound = new()
    {
        [HostRole.Silo] =
        [
            (ClusterSettings.Section, typeof(ClusterSettings)),
            (SiloSettings.Section, typeof(SiloSettings)),
            (ShutdownSettings.Section, typeof(ShutdownSettings)),
            (ServiceAccountOptions.Section, typeof(ServiceAccountOptions)),
            (RateLimitOptions.Section, typeof(RateLimitOptions)),
            (LimitOptions.Section, typeof(LimitOptions)),
            (GuildOptions.Section, typeof(GuildOptions)),
            (PresenceOptions.Section, typeof(PresenceOptions)),
            (TypingOptions.Section, typeof(TypingOptions)),
            (DashboardSettings.Section, typeof(DashboardSettings)),
            (LiveKitOptions.Section, typeof(LiveKitOptions)),
            (PushOptions.Section, typeof(PushOptions)),
        ],
        [HostRole.Gateway] =
        [
            (ClusterSettings.Section, typeof(ClusterSettings)),
            (ShutdownSettings.Section, typeof(ShutdownSettings)),
            (GatewayAccountSettings.Section, typeof(GatewayAccountSettings)),
            (AuthSettings.Section, typeof(AuthSettings)),
            (BrowserOriginSettings.Section, typeof(BrowserOriginSettings)),
            (SlowConsumerOptions.Section, typeof(SlowConsumerOptions)),
            (ChatHubOptions.Section, typeof(ChatHubOptions)),
            (TransportOptions.Section, typeof(TransportOptions)),
            (SubscriptionHealthOptions.Section, typeof(SubscriptionHealthOptions)),
            (VoiceFrameOptions.Section, typeof(VoiceFrameOptions)),
            (LiveKitOptions.Section, typeof(LiveKitOptions)),
        ],
        [HostRole.Migrate] = [],
    };

    private static readonly Dictionary<HostRole, string[]> ConnectionStrings = new()
    {
        [HostRole.Silo] = [ConnectionNames.Postgres, ConnectionNames.Redis],
        [HostRole.Gateway] = [ConnectionNames.Redis],
        [HostRole.Migrate] = [ConnectionNames.Postgres],
    };

    /// <summary>ASP.NET Core, the .NET runtime, OpenTelemetry's exporter, logging levels and glibc's allocator: read by every host.</summary>
    private static readonly string[] Framework =
    [
        "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS",
        "DOTNET_{any}", "OTEL_{any}", "Logging__{any}",
        // Read by glibc's allocator in every process; the images set it (deploy/docker).
        "MALLOC_ARENA_MAX",
    ];

    /// <summary>Every setting a host reads, in display form: <c>{name}</c> a key of the operator's choosing, <c>{n}</c> an index.</summary>
    public static IReadOnlyList<string> Documented(HostRole role) =>
        Bound[role].SelectMany(bound => Leaves(bound.Section.Replace(":", "__"), bound.Type))
            .Concat(Loose[role])
            .Concat(ConnectionStrings[role].Select(name => $"ConnectionStrings__{name}"))
            .ToArray();

    /// <summary>
    /// Every setting any host reads, each once, as the docs write it: <c>&lt;name&gt;</c> for a key
    /// of the operator's choosing, index 0 for an index.
    /// </summary>
    public static IReadOnlyList<string> AsDocumented() =>
        Enum.GetValues<HostRole>().SelectMany(Documented).Distinct()
            .Select(setting => setting.Replace("{name}", "<name>").Replace("{n}", "0"))
            .ToArray();

    /// <summary>Whether <paramref name="variable"/> is something <paramref name="role"/> reads.</summary>
    public static bool Reads(HostRole role, string variable) =>
        Documented(role).Concat(Framework).Any(pattern => ToRegex(pattern).IsMatch(variable));

    private static Regex ToRegex(string pattern) =>
        new("^" + Regex.Escape(pattern)
            .Replace(Regex.Escape("{name}"), "[A-Za-z0-9_.-]+?")
            .Replace(Regex.Escape("{n}"), "[0-9]+")
            .Replace(Regex.Escape("{any}"), ".+") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static IEnumerable<string> Leaves(string prefix, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true })
            {
                continue;
            }

            var name = $"{prefix}__{property.Name}";
            var propertyType = property.PropertyType;
            if (IsScalar(propertyType))
            {
                yield return name;
            }
            else if (ElementOf(propertyType) is { } element)
            {
                foreach (var leaf in IsScalar(element) ? [$"{name}__{{n}}"] : Leaves($"{name}__{{n}}", element))
                {
                    yield return leaf;
                }
            }
            else if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                var value = propertyType.GetGenericArguments()[1];
                foreach (var leaf in IsScalar(value) ? [$"{name}__{{name}}"] : Leaves($"{name}__{{name}}", value))
                {
                    yield return leaf;
                }
            }
            else
            {
                foreach (var leaf in Leaves(name, propertyType))
                {
                    yield return leaf;
                }
            }
        }
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(Uri);
    }

    private static Type? ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0]
        : null;
}
