using Cryb.Channels;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;
using Cryb.Typing;

namespace Cryb.Tests.Grains;

/// <summary>Typing state persistence: coalesced writes, and a typer that survives the grain moving.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TypingGrainTests(ClusterFixture fixture)
{
    private static readonly Caller Alice = TestAccounts.User("alice");

    [Fact]
    public async Task A_burst_of_renewals_is_one_write_and_the_typer_survives_reactivation()
    {
        var channelId = Ids.NewChannelId();
        await fixture.Client.GetGrain<IChannelGrain>(channelId).Create(Alice, "typing", isPrivate: false);
        var typing = fixture.Client.GetGrain<ITypingGrain>(channelId);
        await using var updates = await ChannelEventReader<TypingUpdated>.SubscribeAsync(fixture.Client, channelId);

        for (var i = 0; i < 20; i++)
        {
            await typing.Start(Alice);
        }

        Assert.Equal(["alice"], (await updates.NextAsync("TypingUpdated [alice]")).UserIds);
        // The sweep (a tenth of the 10 s expiry) writes once for the whole burst. A write to
        // storage raises no event the test can wait on, so this one wait polls the table.
        await Eventually.WaitUntilAsync(async () => await StoredVersionAsync(channelId) >= 1, "the typing state's first write");
        Assert.Equal(1, await StoredVersionAsync(channelId));

        await fixture.Cluster.DeactivateAsync(typing);
        await typing.Stop(Alice); // a fresh activation still knows alice was typing: it announces she stopped

        Assert.Empty((await updates.NextAsync("TypingUpdated [] from the fresh activation")).UserIds);
    }

    /// <summary>
    /// The stored version of the typing state. Channel ids are 32 hex digits, which Orleans reads as
    /// a GUID key: the ADO.NET provider stores its two halves in grain_id_n0 and grain_id_n1.
    /// </summary>
    private async Task<int> StoredVersionAsync(string channelId)
    {
        var key = Guid.ParseExact(channelId, "N").ToByteArray();
        await using var command = fixture.Servers.DataSource.CreateCommand(
            "SELECT coalesce(max(version), 0) FROM orleans_grain_state WHERE grain_type = 'typing' AND grain_id_n0 = $1 AND grain_id_n1 = $2");
        command.Parameters.Add(new() { Value = BitConverter.ToInt64(key, 0) });
        command.Parameters.Add(new() { Value = BitConverter.ToInt64(key, 8) });
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
