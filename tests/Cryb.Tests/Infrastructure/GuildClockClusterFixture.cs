namespace Cryb.Tests.Infrastructure;

/// <summary>
/// The fake-clock cluster with a tiny server member cap (<see cref="MaxMembers"/>), so a full server
/// costs a handful of joins: for the server tests that need the clock (invite expiry, the member
/// list's rate limit) or the cap.
/// </summary>
public sealed class GuildClockClusterFixture(TestServers servers) : FakeClockClusterFixture(servers)
{
    public const int MaxMembers = 4;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Guilds:MaxMembers", MaxMembers.ToString())];
}

[CollectionDefinition(Name)]
public sealed class GuildClockCollection : ICollectionFixture<GuildClockClusterFixture>
{
    public const string Name = "server fake-clock cluster";
}
