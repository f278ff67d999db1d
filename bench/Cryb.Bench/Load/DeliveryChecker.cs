namespace Cryb.Bench.Load;

/// <summary>
/// Checks every delivery against every acknowledgement, keyed by (channel, seq): nothing
/// acknowledged may be missing at a member that stayed connected, no member may get a seq twice,
/// and each member sees a channel's seqs in increasing order. Memory is one bit per seq per
/// member; recording a delivery takes an uncontended lock and no allocation.
/// </summary>
/// <remarks>
/// A member that leaves and comes back (<c>soak</c>'s churn) is one <see cref="Receiver"/> per
/// connection. What is owed is what a client app following docs/protocol.md "Keeping a client in sync" ends
/// up with: the new connection resumes with <c>JoinChannel(channelId, since)</c>, where
/// <c>since</c> is the last seq the old one had, and from then on owes every acknowledged seq
/// above <c>since</c>, from the resume's <c>missed</c> or live. Live duplicates and reorderings
/// are checked per connection, since the gap fill and the live events of a new connection may
/// overlap (a client skips seqs it already applied). When a connection leaves, it stops being
/// checked, but what it missed below the last seq it got is lost: those were not in flight.
/// </remarks>
public sealed class DeliveryChecker
{
    private readonly Lock _setup = new();
    private readonly List<ChannelTrack> _channels = [];

    /// <summary>Registers a channel; returns its index.</summary>
    public int AddChannel()
    {
        lock (_setup)
        {
            _channels.Add(new ChannelTrack());
            return _channels.Count - 1;
        }
    }

    /// <summary>Registers one member of <paramref name="channel"/> that receives its messages.</summary>
    public Receiver AddReceiver(int channel)
    {
        lock (_setup)
        {
            var receiver = new Receiver(channel);
            var track = _channels[channel];
            lock (track)
            {
                track.Receivers.Add(receiver);
            }

            return receiver;
        }
    }

    /// <summary>
    /// Registers the new connection of a member that had seqs up to <paramref name="since"/>: it is
    /// not checked until <see cref="Resume"/>, and owes nothing at or below <paramref name="since"/>.
    /// </summary>
    public Receiver AddResumingReceiver(int channel, long since)
    {
        var receiver = AddReceiver(channel);
        lock (receiver)
        {
            receiver.ExpectAfter = since;
            receiver.State = ReceiverState.Resuming;
        }

        return receiver;
    }

    /// <summary>The resume of <paramref name="receiver"/> returned <paramref name="missed"/>: from now on it owes every acknowledged seq above its start.</summary>
    public static void Resume(Receiver receiver, IEnumerable<long> missed)
    {
        lock (receiver)
        {
            foreach (var seq in missed)
            {
                receiver.Filled.Add(seq);
                receiver.FilledMax = Math.Max(receiver.FilledMax, seq);
            }

            receiver.State = ReceiverState.Active;
        }
    }

    /// <summary>
    /// The member's connection is leaving: it stops being checked, and acknowledged seqs it lacks
    /// below the last one it got count as lost. Returns that last seq, where the member's next
    /// connection resumes. Its bit sets are dropped: a long soak makes thousands of connections.
    /// </summary>
    public long Leave(Receiver receiver)
    {
        var track = _channels[receiver.Channel];
        SeqBitSet acked;
        lock (track)
        {
            acked = track.Acknowledged.Clone();
        }

        long last, expected = 0;
        var lost = new List<long>();
        lock (receiver)
        {
            last = receiver.Last;
            if (receiver.State != ReceiverState.Active)
            {
                // Left before its resume answered (or already gone): it never owed anything.
                receiver.State = ReceiverState.Left;
                return last;
            }

            expected = acked.CountAbove(receiver.ExpectAfter) - acked.CountAbove(last);
            foreach (var seq in Owed(acked, receiver))
            {
                if (seq > last)
                {
                    break;
                }

                lost.Add(seq);
            }

            receiver.State = ReceiverState.Left;
            receiver.ExpectAfter = last;
            receiver.Received = new SeqBitSet();
            receiver.Filled = new SeqBitSet();
        }

        lock (track)
        {
            track.LeftExpected += expected;
            track.LeftLostDeliveries += lost.Count;
            foreach (var seq in lost)
            {
                track.LeftLost.Add(seq);
            }
        }

        return last;
    }

    /// <summary>The server acknowledged a send that got <paramref name="seq"/> in <paramref name="channel"/>.</summary>
    public void Acknowledge(int channel, long seq)
    {
        var track = _channels[channel];
        lock (track)
        {
            track.Acknowledged.Add(seq);
        }
    }

    /// <summary>Records that <paramref name="receiver"/> got <paramref name="seq"/>; says whether that was new, a duplicate, or out of order.</summary>
    public static DeliveryOutcome Deliver(Receiver receiver, long seq)
    {
        lock (receiver)
        {
            if (receiver.State == ReceiverState.Left)
            {
                return DeliveryOutcome.AfterLeaving;
            }

            if (!receiver.Received.Add(seq))
            {
                receiver.Duplicates++;
                return DeliveryOutcome.Duplicate;
            }

            if (seq < receiver.LastSeq)
            {
                receiver.OutOfOrder++;
                return DeliveryOutcome.OutOfOrder;
            }

            receiver.LastSeq = seq;
            return DeliveryOutcome.InOrder;
        }
    }

    /// <summary>The receiver's connection closed: what it missed afterwards is not a loss, but the report counts it.</summary>
    public static void Disconnect(Receiver receiver)
    {
        lock (receiver)
        {
            receiver.Disconnected = true;
        }
    }

    /// <summary>
    /// A connection of the receiver failed before it resumed, and another is on its way: the
    /// resume from where the member left off covers whatever the failed one saw or missed, so the
    /// receiver is checked again as connected.
    /// </summary>
    public static void Retry(Receiver receiver)
    {
        lock (receiver)
        {
            receiver.Disconnected = false;
        }
    }

    /// <summary>
    /// The verdict now: every acknowledged message still missing at a connected member is lost.
    /// The load polls it while draining and takes the last answer, after the drain, as final.
    /// Cheap enough to poll: a few words per member.
    /// </summary>
    public CorrectnessReport Check()
    {
        ChannelTrack[] channels;
        lock (_setup)
        {
            channels = [.. _channels];
        }

        long receivers = 0, disconnected = 0, acknowledged = 0, expected = 0, delivered = 0;
        long lostDeliveries = 0, lostMessages = 0, duplicates = 0, outOfOrder = 0, unacknowledged = 0;
        foreach (var channel in channels)
        {
            SeqBitSet acked;
            lock (channel)
            {
                acked = channel.Acknowledged.Clone();
            }

            acknowledged += acked.Count;
            var lost = new SeqBitSet();
            Receiver[] members;
            lock (channel)
            {
                members = [.. channel.Receivers];
                expected += channel.LeftExpected;
                delivered += channel.LeftExpected - channel.LeftLostDeliveries;
                lostDeliveries += channel.LeftLostDeliveries;
                foreach (var seq in channel.LeftLost.MissingFrom(lost))
                {
                    lost.Add(seq);
                }
            }

            foreach (var receiver in members)
            {
                lock (receiver)
                {
                    duplicates += receiver.Duplicates;
                    outOfOrder += receiver.OutOfOrder;
                    if (receiver.State != ReceiverState.Active)
                    {
                        continue;
                    }

                    receivers++;
                    unacknowledged += receiver.Received.Count - acked.CountCommon(receiver.Received);
                    if (receiver.Disconnected)
                    {
                        disconnected++;
                        continue;
                    }

                    var owed = acked.CountAbove(receiver.ExpectAfter);
                    var missing = 0L;
                    foreach (var seq in Owed(acked, receiver))
                    {
                        missing++;
                        lost.Add(seq);
                    }

                    expected += owed;
                    delivered += owed - missing;
                    lostDeliveries += missing;
                }
            }

            lostMessages += lost.Count;
        }

        return new CorrectnessReport(
            channels.Length, receivers, disconnected, acknowledged, expected, delivered,
            lostDeliveries, lostMessages, duplicates, outOfOrder, unacknowledged);
    }

    /// <summary>The acknowledged seqs <paramref name="receiver"/> owes and has neither received live nor from a resume, in increasing order. Lock the receiver.</summary>
    private static IEnumerable<long> Owed(SeqBitSet acked, Receiver receiver) =>
        acked.MissingFrom(receiver.Received).Where(seq => seq > receiver.ExpectAfter && !receiver.Filled.Contains(seq));

    /// <summary>One member's view of one channel, over one connection. Lock it to read or write.</summary>
    public sealed class Receiver(int channel)
    {
        public int Channel { get; } = channel;
        internal SeqBitSet Received { get; set; } = new();
        internal long LastSeq { get; set; }
        internal long Duplicates { get; set; }
        internal long OutOfOrder { get; set; }
        internal bool Disconnected { get; set; }
        internal ReceiverState State { get; set; }

        /// <summary>The seq this connection resumed from: it owes nothing at or below it.</summary>
        internal long ExpectAfter { get; set; }

        /// <summary>Seqs the resume's <c>missed</c> brought.</summary>
        internal SeqBitSet Filled { get; set; } = new();

        internal long FilledMax { get; set; }

        /// <summary>The last seq this member has: where its next connection resumes.</summary>
        internal long Last => Math.Max(ExpectAfter, Math.Max(LastSeq, FilledMax));
    }

    internal enum ReceiverState
    {
        Active,
        Resuming,
        Left,
    }

    private sealed class ChannelTrack
    {
        public SeqBitSet Acknowledged { get; } = new();
        public List<Receiver> Receivers { get; } = [];

        /// <summary>What the connections that left owed, and which of it they lacked.</summary>
        public long LeftExpected { get; set; }
        public long LeftLostDeliveries { get; set; }
        public SeqBitSet LeftLost { get; } = new();
    }
}

public enum DeliveryOutcome
{
    InOrder,
    Duplicate,
    OutOfOrder,

    /// <summary>The member's connection had left: not checked.</summary>
    AfterLeaving,
}

/// <summary>
/// Whether every acknowledged message reached every member. Counts are cumulative over the run.
/// </summary>
/// <param name="Receivers">Channel memberships watched (a client in three channels counts three times).</param>
/// <param name="DisconnectedReceivers">Memberships whose connection closed during the run; their misses are not counted as lost.</param>
/// <param name="Acknowledged">Messages the server acknowledged.</param>
/// <param name="ExpectedDeliveries">Acknowledged messages times the members of their channel that stayed connected.</param>
/// <param name="DeliveredAcknowledged">Of those, deliveries that arrived.</param>
/// <param name="LostDeliveries">Expected deliveries missing when checked; after a drain, lost however recent their acknowledgement.</param>
/// <param name="LostMessages">Acknowledged messages that at least one connected member lost.</param>
/// <param name="Duplicates">Deliveries of a seq the member already had.</param>
/// <param name="OutOfOrder">Deliveries of a seq lower than one the member already had in that channel.</param>
/// <param name="UnacknowledgedDeliveries">Deliveries of messages whose send was never acknowledged (failed or timed out, yet stored).</param>
public sealed record CorrectnessReport(
    long Channels, long Receivers, long DisconnectedReceivers, long Acknowledged, long ExpectedDeliveries, long DeliveredAcknowledged,
    long LostDeliveries, long LostMessages, long Duplicates, long OutOfOrder, long UnacknowledgedDeliveries);
