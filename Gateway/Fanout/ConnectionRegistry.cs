using Cryb.Guilds;
using Cryb.Presence;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// This gateway's live connections, whose they are, and which channels each is in: the one record
/// of channel membership here. A channel's events go to the connections it lists
/// (<see cref="ConnectionsIn"/>), and the stream subscriptions follow it (<see cref="WantsChannel"/>,
/// <see cref="HasConnectionsOf"/>). Every change is made under one lock, so a join racing a leave or
/// a disconnect of the same connection ends with the membership or without it, never with half.
/// Everything here dies with the connections it describes, so a gateway crash loses nothing.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Connection> _connections = new(StringComparer.Ordinal);

    /// <summary>Read without copying by sends (<see cref="ConnectionList"/>).</summary>
    private readonly Dictionary<string, ConnectionList> _connectionsByChannel = new(StringComparer.Ordinal);

    private readonly Dictionary<string, ConnectionList> _connectionsByUser = new(StringComparer.Ordinal);

    /// <summary>The connections that were shown each server (in <c>Ready</c> or <c>GuildCreated</c>).</summary>
    private readonly Dictionary<string, ConnectionList> _connectionsByGuild = new(StringComparer.Ordinal);

    /// <summary>Channels held subscribed while a connection's join is on its way to the grain (<see cref="Hold"/>).</summary>
    private readonly Dictionary<string, int> _holds = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers a connection, with the way to close it from the server and the member count above
    /// which its servers come without their member lists (<c>largeThreshold</c>).
    /// </summary>
    public void Add(string connectionId, string userId, DeviceKind device, Action abort, int largeThreshold = GuildLimits.DefaultLargeThreshold)
    {
        lock (_lock)
        {
            _connections[connectionId] = new Connection(userId, device, abort, largeThreshold);
            AddTo(_connectionsByUser, userId, connectionId);
        }
    }

    /// <summary>Records that the connection is in the channel; false if it already was or is gone.</summary>
    public bool Join(string connectionId, string channelId)
    {
        lock (_lock)
        {
            if (!_connections.TryGetValue(connectionId, out var connection) || !connection.Channels.Add(channelId))
            {
                return false;
            }

            AddTo(_connectionsByChannel, channelId, connectionId);
            return true;
        }
    }

    /// <summary>Records that the connection left the channel; false if it was not in it.</summary>
    public bool Leave(string connectionId, string channelId)
    {
        lock (_lock)
        {
            if (!_connections.TryGetValue(connectionId, out var connection) || !connection.Channels.Remove(channelId))
            {
                return false;
            }

            RemoveFrom(_connectionsByChannel, channelId, connectionId);
            return true;
        }
    }

    /// <summary>Forgets a connection and its memberships; returns the channels and servers it was in and its user (null if it was not here).</summary>
    public (IReadOnlyList<string> Channels, string? UserId, IReadOnlyList<string> Guilds) Remove(string connectionId)
    {
        lock (_lock)
        {
            if (!_connections.Remove(connectionId, out var connection))
            {
                return ([], null, []);
            }

            foreach (var channelId in connection.Channels)
            {
                RemoveFrom(_connectionsByChannel, channelId, connectionId);
            }

            foreach (var guildId in connection.Guilds)
            {
                RemoveFrom(_connectionsByGuild, guildId, connectionId);
            }

            RemoveFrom(_connectionsByUser, connection.UserId, connectionId);
            return (connection.Channels.ToArray(), connection.UserId, connection.Guilds.ToArray());
        }
    }

    /// <summary>
    /// Records that the connection was shown the server (its <c>Ready</c> or a <c>GuildCreated</c>
    /// listed it), so the server's events reach it; false if it already was or is gone.
    /// </summary>
    public bool EnterGuild(string connectionId, string guildId)
    {
        lock (_lock)
        {
            if (!_connections.TryGetValue(connectionId, out var connection) || !connection.Guilds.Add(guildId))
            {
                return false;
            }

            AddTo(_connectionsByGuild, guildId, connectionId);
            return true;
        }
    }

    /// <summary>Records that the connection no longer hears of the server; false if it did not.</summary>
    public bool LeaveGuild(string connectionId, string guildId)
    {
        lock (_lock)
        {
            if (!_connections.TryGetValue(connectionId, out var connection) || !connection.Guilds.Remove(guildId))
            {
                return false;
            }

            RemoveFrom(_connectionsByGuild, guildId, connectionId);
            return true;
        }
    }

    /// <summary>Whether this gateway needs the server's stream: a connection here was shown it.</summary>
    public bool WantsGuild(string guildId)
    {
        lock (_lock)
        {
            return _connectionsByGuild.ContainsKey(guildId);
        }
    }

    /// <summary>The servers the connection was shown (none for an unknown connection).</summary>
    public IReadOnlyList<string> GuildsOf(string connectionId)
    {
        lock (_lock)
        {
            return _connections.TryGetValue(connectionId, out var connection) ? connection.Guilds.ToArray() : [];
        }
    }

    /// <summary>The connection's <c>largeThreshold</c>; the default for a connection no longer here.</summary>
    public int LargeThresholdOf(string connectionId)
    {
        lock (_lock)
        {
            return _connections.TryGetValue(connectionId, out var connection) ? connection.LargeThreshold : GuildLimits.DefaultLargeThreshold;
        }
    }

    /// <summary>The connections here that were shown the server, with their users.</summary>
    public IReadOnlyList<(string ConnectionId, string UserId)> MembersInGuild(string guildId)
    {
        lock (_lock)
        {
            return _connectionsByGuild.TryGetValue(guildId, out var connections)
                ? connections.Snapshot().Select(connectionId => (connectionId, _connections[connectionId].UserId)).ToArray()
                : [];
        }
    }

    /// <summary>Whether the connection is in the channel now.</summary>
    public bool IsIn(string connectionId, string channelId)
    {
        lock (_lock)
        {
            return _connections.TryGetValue(connectionId, out var connection) && connection.Channels.Contains(channelId);
        }
    }

    /// <summary>
    /// Keeps the channel wanted, with or without members, until <see cref="Unhold"/>: a join
    /// subscribes before the grain accepts it, so events published after its result already flow.
    /// </summary>
    public void Hold(string channelId)
    {
        lock (_lock)
        {
            _holds[channelId] = _holds.GetValueOrDefault(channelId) + 1;
        }
    }

    public void Unhold(string channelId)
    {
        lock (_lock)
        {
            if (_holds.TryGetValue(channelId, out var holds) && holds > 1)
            {
                _holds[channelId] = holds - 1;
            }
            else
            {
                _holds.Remove(channelId);
            }
        }
    }

    /// <summary>Whether this gateway needs the channel's events: a connection here is in it, or a join holds it.</summary>
    public bool WantsChannel(string channelId)
    {
        lock (_lock)
        {
            return _connectionsByChannel.ContainsKey(channelId) || _holds.ContainsKey(channelId);
        }
    }

    /// <summary>Whether the user has a connection here, and so needs the user's stream.</summary>
    public bool HasConnectionsOf(string userId)
    {
        lock (_lock)
        {
            return _connectionsByUser.ContainsKey(userId);
        }
    }

    /// <summary>The channel's connections here, as they are now; the list never changes after it is returned.</summary>
    public IReadOnlyList<string> ConnectionsIn(string channelId) => Lookup(_connectionsByChannel, channelId);

    /// <summary>The connections shown the server, as they are now, without a copy: a presence change reads it for each of the user's servers.</summary>
    public IReadOnlyList<string> ConnectionsInGuild(string guildId) => Lookup(_connectionsByGuild, guildId);

    public IReadOnlyList<string> ConnectionsOf(string userId) => Lookup(_connectionsByUser, userId);

    /// <summary>The users with a connection in the channel here, each once.</summary>
    public IReadOnlyList<string> UsersIn(string channelId)
    {
        lock (_lock)
        {
            return _connectionsByChannel.TryGetValue(channelId, out var connections)
                ? connections.Snapshot().Select(connectionId => _connections[connectionId].UserId).Distinct().ToArray()
                : [];
        }
    }

    /// <summary>Closes the connection from the server side; its disconnect then runs as for any close.</summary>
    public void Abort(string connectionId)
    {
        Action? abort;
        lock (_lock)
        {
            abort = _connections.GetValueOrDefault(connectionId)?.Abort;
        }

        abort?.Invoke();
    }

    /// <summary>Every live connection, for registering them all again.</summary>
    public IReadOnlyList<(string ConnectionId, string UserId, DeviceKind Device)> All()
    {
        lock (_lock)
        {
            return _connections.Select(c => (c.Key, c.Value.UserId, c.Value.Device)).ToArray();
        }
    }

    public bool Contains(string connectionId)
    {
        lock (_lock)
        {
            return _connections.ContainsKey(connectionId);
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    private IReadOnlyList<string> Lookup(Dictionary<string, ConnectionList> index, string key)
    {
        lock (_lock)
        {
            return index.TryGetValue(key, out var connections) ? connections.Snapshot() : [];
        }
    }

    /// <summary>Under the lock; the callers add a connection to a key once (its own sets say whether it is in).</summary>
    private static void AddTo(Dictionary<string, ConnectionList> index, string key, string connectionId)
    {
        if (index.TryGetValue(key, out var present))
        {
            present.Add(connectionId);
        }
        else
        {
            index[key] = new ConnectionList(connectionId);
        }
    }

    private static void RemoveFrom(Dictionary<string, ConnectionList> index, string key, string connectionId)
    {
        if (index.TryGetValue(key, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
        {
            index.Remove(key);
        }
    }

    private sealed record Connection(string UserId, DeviceKind Device, Action Abort, int LargeThreshold)
    {
        public HashSet<string> Channels { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Guilds { get; } = new(StringComparer.Ordinal);
    }
}
