using Cryb.Presence;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// The presence changes gathered for each connection since the last batch: the newest of each
/// user, never one older than a version this gateway has already taken (a copy caught up after a
/// resubscription). Checked and gathered under one lock, so two changes of a user arriving on two
/// threads cannot land in the wrong order.
/// </summary>
public sealed class PendingPresence
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _versions = [];
    private Dictionary<string, Dictionary<string, PresenceChanged>> _byConnection = [];

    /// <summary>
    /// Gathers <paramref name="change"/> for each connection listed, once however often it is listed;
    /// a change for no connection leaves no trace.
    /// </summary>
    public void Add(IEnumerable<string> connectionIds, PresenceChanged change)
    {
        var userId = change.Presence.UserId;
        lock (_gate)
        {
            if (_versions.TryGetValue(userId, out var seen) && change.Version <= seen)
            {
                return;
            }

            var heard = false;
            foreach (var connectionId in connectionIds)
            {
                if (!_byConnection.TryGetValue(connectionId, out var batch))
                {
                    _byConnection[connectionId] = batch = [];
                }

                batch[userId] = change;
                heard = true;
            }

            if (heard)
            {
                _versions[userId] = change.Version;
            }
        }
    }

    /// <summary>
    /// Takes what was gathered, and starts anew. Connections that are to hear exactly the same
    /// changes share one batch, so its frame is serialized once for all of them: where everyone
    /// shares a channel with everyone (a busy community), that is nearly every connection, and a
    /// frame serialized per connection cost the connect bench two thirds of its rate.
    /// </summary>
    public IReadOnlyList<PresenceBatch> TakeAll()
    {
        Dictionary<string, Dictionary<string, PresenceChanged>> taken;
        lock (_gate)
        {
            taken = _byConnection;
            _byConnection = [];
        }

        var batches = new Dictionary<SameChanges, PresenceBatch>();
        foreach (var (connectionId, changes) in taken)
        {
            var key = new SameChanges(changes);
            if (!batches.TryGetValue(key, out var batch))
            {
                batches[key] = batch = new PresenceBatch([.. changes.Values], []);
            }

            batch.ConnectionIds.Add(connectionId);
        }

        return [.. batches.Values];
    }

    /// <summary>A connection's changes as a key: equal when they are the same change objects, whatever their order.</summary>
    private sealed class SameChanges(Dictionary<string, PresenceChanged> changes) : IEquatable<SameChanges>
    {
        private readonly Dictionary<string, PresenceChanged> _changes = changes;
        private readonly int _hash = HashOf(changes);

        public bool Equals(SameChanges? other) =>
            other is not null && _hash == other._hash && _changes.Count == other._changes.Count
            && _changes.All(pair => other._changes.TryGetValue(pair.Key, out var change) && ReferenceEquals(change, pair.Value));

        public override bool Equals(object? obj) => Equals(obj as SameChanges);

        public override int GetHashCode() => _hash;

        private static int HashOf(Dictionary<string, PresenceChanged> changes)
        {
            // A sum: the same whatever order the dictionary lists them in.
            var hash = changes.Count;
            foreach (var change in changes.Values)
            {
                hash += System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(change);
            }

            return hash;
        }
    }
}

/// <summary>Changes to send, newest per user, and the connections to send them to, as one frame.</summary>
public sealed record PresenceBatch(IReadOnlyList<PresenceChanged> Changes, List<string> ConnectionIds);
