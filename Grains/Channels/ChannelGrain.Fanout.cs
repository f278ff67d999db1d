using Cryb.Channels;
using Cryb.Identity;

namespace Cryb.Grains.Channels;

/// <summary>
/// What gateways need to deliver a channel's events without gaps (the changes they missed) and to
/// answer its members' <c>Ready</c> from their own memory (the view).
/// </summary>
public sealed partial class ChannelGrain
{
    public async Task<ChannelChanges> GetChangesAfter(ServiceCredential gateway, long afterSeq, int limit, IReadOnlyList<string> userIds)
    {
        // The silos' filter has checked the credential and that it is a gateway's ([GatewayOnly]).
        var notMembers = userIds.Where(userId => !Channel.Exists || !Channel.Members.ContainsKey(userId)).ToArray();
        if (!Channel.Exists || afterSeq >= _latestSeq)
        {
            return new ChannelChanges([], Truncated: false, notMembers);
        }

        var pageSize = Math.Clamp(limit, 1, ChannelLimits.MaxMissedOnJoin);
        var page = await messages.GetChangedAfterAsync(ChannelId, Math.Max(0, afterSeq), pageSize + 1);
        var truncated = page.Count > pageSize;
        return new ChannelChanges(truncated ? page.Take(pageSize).ToArray() : page, truncated, notMembers);
    }

    public async Task<ChannelView?> GetView(ServiceCredential gateway)
    {
        if (!Channel.Exists)
        {
            return null;
        }

        // One more than a gateway keeps: it tells whether older messages exist.
        var recent = await messages.GetRecentAsync(ChannelId, ChannelLimits.UnreadCountCap + 1);
        var roles = Channel.Members.Where(member => member.Value != ChannelRole.Member).ToDictionary();
        // A send committed while the messages were read is listed already, and counts.
        var latest = Math.Max(_latestSeq, recent.Count > 0 ? recent[^1].Seq : 0);
        return new ChannelView(Info(), latest, roles, recent);
    }
}
