using Microsoft.Extensions.DependencyInjection;

namespace Cryb.Hosting.Health;

public static class HealthChecksBuilderExtensions
{
    /// <summary>Adds readiness on the Redis membership store at <paramref name="redisConfiguration"/>.</summary>
    public static IHealthChecksBuilder AddRedisReadiness(this IHealthChecksBuilder builder, string redisConfiguration)
    {
        builder.Services.AddSingleton(new RedisProbe(redisConfiguration));
        return builder.AddCheck<RedisHealthCheck>("redis", tags: [HealthEndpoints.ReadyTag]);
    }

    /// <summary>Adds readiness on PostgreSQL through the registered <c>NpgsqlDataSource</c>.</summary>
    public static IHealthChecksBuilder AddPostgresReadiness(this IHealthChecksBuilder builder) =>
        builder.AddCheck<PostgresHealthCheck>("postgres", tags: [HealthEndpoints.ReadyTag]);
}
