using Cryb.Channels;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>Steps the server tests over SignalR share.</summary>
internal static class GuildSteps
{
    /// <summary>
    /// A server of <paramref name="owner"/>'s that each of <paramref name="members"/> joined by invite
    /// (each read its <c>GuildCreated</c>, the owner each <c>GuildMemberAdded</c>): its id, its
    /// "general" channel and the invite's code.
    /// </summary>
    public static async Task<(string GuildId, GuildChannel General, string Code)> CreateServerAsync(ChatTestClient owner, string name, params ChatTestClient[] members)
    {
        var server = await owner.InvokeAsync<GuildState>("CreateGuild", name);
        await owner.NextAsync<GuildState>("GuildCreated");
        var invite = await owner.InvokeAsync<GuildInvite>("CreateInvite", server.Guild.Id, 0, 0);
        foreach (var member in members)
        {
            await member.InvokeAsync<GuildState>("JoinGuild", invite.Code);
            Assert.Equal(server.Guild.Id, (await member.NextAsync<GuildState>("GuildCreated")).Guild.Id);
            Assert.Equal(member.UserId, (await owner.NextAsync<GuildMemberAdded>("GuildMemberAdded")).Member.UserId);
        }

        return (server.Guild.Id, Assert.Single(server.Channels, channel => channel.Name == "general"), invite.Code);
    }

    /// <summary>Adds <paramref name="count"/> members who never connected, through a backend service's bulk import.</summary>
    public static async Task<string[]> ImportAsync(ProcessCluster cluster, string guildId, int count)
    {
        var imported = Enumerable.Range(0, count).Select(i => $"imported-{guildId[..8]}-{Guid.NewGuid().ToString("N")[..6]}-{i:D4}").ToArray();
        await using var service = await cluster.ConnectServiceAsync();
        Assert.Equal(count, await service.Cluster.GetGrain<IGuildGrain>(guildId).ImportMembers(Caller.Service(TestAccounts.WelcomeBot), imported));
        return imported;
    }

    /// <summary>Reads <paramref name="client"/>'s presence updates until <paramref name="userId"/>'s says <paramref name="status"/>.</summary>
    public static async Task PresenceOfAsync(ChatTestClient client, string userId, PresenceStatus status)
    {
        while (await client.NextAsync<PresenceInfo>("PresenceUpdated") is var presence && (presence.UserId != userId || presence.Status != status))
        {
        }
    }
}
