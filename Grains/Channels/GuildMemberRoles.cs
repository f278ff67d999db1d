using Cryb.Grains.Guilds;

namespace Cryb.Grains.Channels;

/// <summary>
/// The roles of a server's members, as a server channel's grain knows them: loaded from the member
/// rows on a member's first call after activation, then kept current by the server's grain
/// (<c>SetGuildMember</c>), so a send costs no read. Only members are kept: a non-member is read
/// again on each call (they are refused anyway), so a join needs no word to the channels.
/// </summary>
/// <remarks>
/// A removal is kept as a tombstone with its version, so that a row read before the removal and
/// returned after it cannot bring the member back; the versions of the server's changes grow.
/// Used only on its grain activation's scheduler.
/// </remarks>
public sealed class GuildMemberRoles
{
    /// <summary>Members kept at most; past it the cache starts over (a channel of a huge server read by many).</summary>
    private const int MaxKept = 50_000;

    private readonly Dictionary<string, (IReadOnlyList<string>? RoleIds, long Version)> _known = new(StringComparer.Ordinal);

    /// <summary>Whether the member's roles are known (false: a non-member, or not read yet).</summary>
    public bool TryGet(string memberId, out IReadOnlyList<string> roleIds)
    {
        if (_known.TryGetValue(memberId, out var entry) && entry.RoleIds is { } roles)
        {
            roleIds = roles;
            return true;
        }

        roleIds = [];
        return false;
    }

    /// <summary>Whether the server's grain said the member was removed (and no newer row was read since).</summary>
    public bool IsRemoved(string memberId) => _known.TryGetValue(memberId, out var entry) && entry.RoleIds is null;

    /// <summary>Reads the rows of those among <paramref name="memberIds"/> not known yet; a no-op when all are.</summary>
    public async Task LoadAsync(IGuildStore store, string guildId, IEnumerable<string> memberIds)
    {
        var unknown = memberIds.Where(id => !TryGet(id, out _)).Distinct().ToArray();
        if (unknown.Length == 0)
        {
            return;
        }

        var members = await store.GetMembersAsync(guildId, unknown);
        if (_known.Count + members.Count > MaxKept)
        {
            _known.Clear();
        }

        foreach (var member in members)
        {
            Set(member.UserId, member.RoleIds, member.Version);
        }
    }

    /// <summary>Records the member's roles (null: removed) unless a newer change is known.</summary>
    public void Set(string memberId, IReadOnlyList<string>? roleIds, long version)
    {
        if (!_known.TryGetValue(memberId, out var entry) || entry.Version <= version)
        {
            _known[memberId] = (roleIds, version);
        }
    }
}
