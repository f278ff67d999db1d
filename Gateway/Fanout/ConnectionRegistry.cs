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

    /// <summary>Registers a connection; true when it is the user's first on this gateway.</summary>
    public bool Add(string connectionId, string userId)
    {
        lock (_lock)
        {
            _connections[connectionId] = new Connection(userId);
            if (!_connectionsByUser.TryGetValue(userId, out var userConnections))
            {
                _connectionsByUser[userId] = userConnections = [];
            }

            userConnections.Add(connectionId);
            return userConnections.Count == 1;
        }
    }

    /// <summary>Records that the connection is in the channel; false if it already was or is gone.</summary>
    public bool AddChannel(string connectionId, string channelId)
    {
        lock (_lock)
        {
            return _connections.TryGetValue(connectionId, out var connection) && connection.Channels.Add(channelId);
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

            var userConnections = _connectionsByUser[connection.UserId];
            userConnections.Remove(connectionId);
            var last = userConnections.Count == 0;
            if (last)
            {
                _connectionsByUser.Remove(connection.UserId);
            }

            return (connection.Channels.ToArray(), last ? connection.UserId : null);
        }
    }

    public IReadOnlyList<string> ConnectionsOf(string userId)
    {
        lock (_lock)
        {
            return _connectionsByUser.TryGetValue(userId, out var connections) ? connections.ToArray() : [];
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

    private sealed record Connection(string UserId)
    {
        public HashSet<string> Channels { get; } = [];
    }
}
