using Cryb.Grains.Guilds;
using Cryb.Guilds;

namespace Cryb.Grains.Voice;

/// <summary>
/// What the voice grain's batches read to decide calls, kept between batches: each voice channel's
/// permission inputs (from the server grain; null for a channel that is gone) and the member rows
/// (roles and name) of those who called. A batch reads only what is not held, so a server's steady
/// churn of joins costs no read once its channels and callers are known. The server grain tells
/// the voice grain of every change to who may do what (<see cref="Cryb.Voice.IVoiceGrain.ForgetAccess"/>,
/// awaited before its call answers): a member's change forgets that member, anything else forgets all.
/// </summary>
/// <remarks>
/// Non-members are not kept (read again on each call; they are refused anyway), so a join to the
/// server needs no word here. A read that started before a forget may return what the change made
/// stale: <see cref="Generation"/> tells, and such a read's results are used for its batch (as if
/// the batch had come just before the change) but not kept. Used only on the grain activation's scheduler.
/// </remarks>
internal sealed class VoiceAccessCache
{
    /// <summary>Members kept at most; past it the cache starts over (a huge server's voice churn).</summary>
    private const int MaxMembers = 50_000;

    private readonly Dictionary<string, GuildChannelAccess?> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GuildMember> _members = new(StringComparer.Ordinal);

    /// <summary>Grows with every forget: a read that began at another generation is not kept.</summary>
    public long Generation { get; private set; }

    public bool TryGetChannel(string channelId, out GuildChannelAccess? access) => _channels.TryGetValue(channelId, out access);

    public GuildMember? Member(string userId) => _members.GetValueOrDefault(userId);

    /// <summary>Keeps what a read begun at <paramref name="generation"/> returned, unless something was forgotten since.</summary>
    public void Keep(long generation, IEnumerable<KeyValuePair<string, GuildChannelAccess?>> channels, IEnumerable<GuildMember> members)
    {
        if (generation != Generation)
        {
            return;
        }

        foreach (var (channelId, access) in channels)
        {
            _channels[channelId] = access;
        }

        foreach (var member in members)
        {
            if (_members.Count >= MaxMembers)
            {
                _members.Clear();
            }

            _members[member.UserId] = member;
        }
    }

    /// <summary>Forgets the member <paramref name="userId"/> (their roles, name or membership changed), or, null, everything.</summary>
    public void Forget(string? userId)
    {
        Generation++;
        if (userId is null)
        {
            _channels.Clear();
            _members.Clear();
        }
        else
        {
            _members.Remove(userId);
        }
    }
}
