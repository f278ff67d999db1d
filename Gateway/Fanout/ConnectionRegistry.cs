using Cryb.Presence;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// This gateway's live connections: whose they are and which channels each is in. Everything here
/// dies with the connections it describes, so a gateway crash loses nothing.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Connection> _connections = [];
    private readonly Dictionary<string, HashSet<string>> _connectionsByUser = [];
    private readonly Dictionary<string, HashSet<string>> _connectionsByChannel = [];

    /// <summary>
    /// Registers a connection, with the way to close it from the server; true when it is the user's
    /// first on this gateway.
    /// </summary>
    public bool Add(string connectionId, string userId, DeviceKind device, Action abort)
    {
        lock (_lock)
        {
            _connections[connectionId] = new Connection(userId, device, abort);
            return AddTo(_connectionsByUser, userId, connectionId) == 1;
        }
    }

    /// <summary>Records that the connection is in the channel; false if it already was or is gone.</summary>
    public bool AddChannel(string connectionId, string channelId)
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
    public bool RemoveChannel(string connectionId, string channelId)
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

    /// <summary>Forgets a connection; returns its channels and whether it was its user's last here.</summary>
    public (IReadOnlyList<string> Channels, string? LastOfUser) Remove(string connectionId)
    {
        lock (_lock)
        {
            if (!_connections.Remove(connectionId, out var connection))
            {
                return ([], null);
            }

            foreach (var channelId in connection.Channels)
            {
                RemoveFrom(_connectionsByChannel, channelId, connectionId);
            }

            var last = RemoveFrom(_connectionsByUser, connection.UserId, connectionId) == 0;
            return (connection.Channels.ToArray(), last ? connection.UserId : null);
        }
    }

    public IReadOnlyList<string> ConnectionsOf(string userId) => Snapshot(_connectionsByUser, userId);

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

    public IReadOnlyList<string> ConnectionsIn(string channelId) => Snapshot(_connectionsByChannel, channelId);

    /// <summary>The users with a connection in the channel here, each once.</summary>
    public IReadOnlyList<string> UsersIn(string channelId)
    {
        lock (_lock)
        {
            return _connectionsByChannel.TryGetValue(channelId, out var connections)
                ? connections.Select(connectionId => _connections[connectionId].UserId).Distinct().ToArray()
                : [];
        }
    }

    public int CountIn(string channelId)
    {
        lock (_lock)
        {
            return _connectionsByChannel.TryGetValue(channelId, out var connections) ? connections.Count : 0;
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

    private IReadOnlyList<string> Snapshot(Dictionary<string, HashSet<string>> index, string key)
    {
        lock (_lock)
        {
            return index.TryGetValue(key, out var connections) ? connections.ToArray() : [];
        }
    }

    private static int AddTo(Dictionary<string, HashSet<string>> index, string key, string connectionId)
    {
        if (!index.TryGetValue(key, out var connections))
        {
            index[key] = connections = [];
        }

        connections.Add(connectionId);
        return connections.Count;
    }

    private static int RemoveFrom(Dictionary<string, HashSet<string>> index, string key, string connectionId)
    {
        if (!index.TryGetValue(key, out var connections))
        {
            return 0;
        }

        connections.Remove(connectionId);
        if (connections.Count == 0)
        {
            index.Remove(key);
        }

        return connections.Count;
    }

    private sealed record Connection(string UserId, DeviceKind Device, Action Abort)
    {
        public HashSet<string> Channels { get; } = [];
    }
}
