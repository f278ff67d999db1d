using Cryb.Relationships;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// What presence and typing delivery here must know of relationships, for the users connected here:
/// each one's friends (their presence reaches the user with nothing shared) and who blocked them
/// (whose presence and typing never reach the user). Loaded from the user's relationship grain at
/// connect, kept by their relationship events, forgotten with their last connection. Each pair is
/// kept at the newest version seen, so the snapshot and events may arrive in any order.
/// </summary>
public sealed class RelationshipIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LocalUser> _users = new(StringComparer.Ordinal);

    /// <summary>A user anywhere → the users here who count them as a friend.</summary>
    private readonly Dictionary<string, HashSet<string>> _friendOf = new(StringComparer.Ordinal);

    /// <summary>A user anywhere → the users here they blocked.</summary>
    private readonly Dictionary<string, HashSet<string>> _blockedBy = new(StringComparer.Ordinal);

    /// <summary>Takes the user's relationships as their grain gave them (a connect); newer pairs already held stay.</summary>
    public void Load(string userId, RelationshipsView view)
    {
        lock (_lock)
        {
            var user = UserOf(userId);
            foreach (var relationship in view.Relationships)
            {
                SetFriend(userId, user, relationship.UserId, relationship.Kind == RelationshipKind.Friend, relationship.Version);
            }

            foreach (var blockerId in view.BlockedBy)
            {
                SetBlockedBy(userId, user, blockerId, true, version: 0);
            }
        }
    }

    /// <summary>The user's last connection here closed.</summary>
    public void Forget(string userId)
    {
        lock (_lock)
        {
            if (!_users.Remove(userId, out var user))
            {
                return;
            }

            foreach (var friendId in user.Friends)
            {
                Unlink(_friendOf, friendId, userId);
            }

            foreach (var blockerId in user.BlockedBy)
            {
                Unlink(_blockedBy, blockerId, userId);
            }
        }
    }

    /// <summary>Follows one of a local user's relationship events; others are ignored.</summary>
    public void Apply(Users.UserEvent userEvent)
    {
        lock (_lock)
        {
            if (!_users.TryGetValue(userEvent.UserId, out var user))
            {
                return;
            }

            switch (userEvent)
            {
                case RelationshipAdded added:
                    SetFriend(userEvent.UserId, user, added.Relationship.UserId, added.Relationship.Kind == RelationshipKind.Friend, added.Relationship.Version);
                    break;
                case RelationshipUpdated updated:
                    SetFriend(userEvent.UserId, user, updated.Relationship.UserId, updated.Relationship.Kind == RelationshipKind.Friend, updated.Relationship.Version);
                    break;
                case RelationshipRemoved removed:
                    SetFriend(userEvent.UserId, user, removed.OtherUserId, false, removed.Version);
                    break;
                case BlockedByChanged blocked:
                    SetBlockedBy(userEvent.UserId, user, blocked.BlockerId, blocked.Blocked, blocked.Version);
                    break;
            }
        }
    }

    /// <summary>The users here who count <paramref name="userId"/> as a friend.</summary>
    public IReadOnlyList<string> LocalFriendsOf(string userId) => Lookup(_friendOf, userId);

    /// <summary>The users here whom <paramref name="userId"/> blocked: none of that user's presence or typing goes to them.</summary>
    public IReadOnlyList<string> LocalUsersBlockedBy(string userId) => Lookup(_blockedBy, userId);

    /// <summary>Whether <paramref name="blockerId"/> blocked the local user <paramref name="userId"/>.</summary>
    public bool IsBlockedBy(string userId, string blockerId)
    {
        lock (_lock)
        {
            return _users.TryGetValue(userId, out var user) && user.BlockedBy.Contains(blockerId);
        }
    }

    private IReadOnlyList<string> Lookup(Dictionary<string, HashSet<string>> index, string key)
    {
        lock (_lock)
        {
            return index.TryGetValue(key, out var users) ? users.ToArray() : [];
        }
    }

    private LocalUser UserOf(string userId)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            _users[userId] = user = new LocalUser();
        }

        return user;
    }

    private void SetFriend(string userId, LocalUser user, string otherId, bool friend, long version)
    {
        if (!user.Newer(otherId, version))
        {
            return;
        }

        if (friend ? user.Friends.Add(otherId) : user.Friends.Remove(otherId))
        {
            if (friend)
            {
                Link(_friendOf, otherId, userId);
            }
            else
            {
                Unlink(_friendOf, otherId, userId);
            }
        }
    }

    private void SetBlockedBy(string userId, LocalUser user, string blockerId, bool blocked, long version)
    {
        // The snapshot's blocks carry no version: they give way to any event of the pair, never the reverse.
        if (version > 0 && !user.Newer("!" + blockerId, version))
        {
            return;
        }

        if (blocked ? user.BlockedBy.Add(blockerId) : user.BlockedBy.Remove(blockerId))
        {
            if (blocked)
            {
                Link(_blockedBy, blockerId, userId);
            }
            else
            {
                Unlink(_blockedBy, blockerId, userId);
            }
        }
    }

    private static void Link(Dictionary<string, HashSet<string>> index, string key, string userId)
    {
        if (!index.TryGetValue(key, out var users))
        {
            index[key] = users = new HashSet<string>(StringComparer.Ordinal);
        }

        users.Add(userId);
    }

    private static void Unlink(Dictionary<string, HashSet<string>> index, string key, string userId)
    {
        if (index.TryGetValue(key, out var users) && users.Remove(userId) && users.Count == 0)
        {
            index.Remove(key);
        }
    }

    private sealed class LocalUser
    {
        private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);

        public HashSet<string> Friends { get; } = new(StringComparer.Ordinal);

        public HashSet<string> BlockedBy { get; } = new(StringComparer.Ordinal);

        /// <summary>Whether a change of this version is newer than the last taken for the key (and remembers it).</summary>
        public bool Newer(string key, long version)
        {
            if (_versions.TryGetValue(key, out var held) && held >= version)
            {
                return false;
            }

            _versions[key] = version;
            return true;
        }
    }
}
