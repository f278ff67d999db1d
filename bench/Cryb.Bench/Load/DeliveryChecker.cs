namespace Cryb.Bench.Load;

/// <summary>
/// Checks every delivery against every acknowledgement, keyed by (channel, seq): nothing
/// acknowledged may be missing at a member that stayed connected, no member may get a seq twice,
/// and each member sees a channel's seqs in increasing order. Memory is one bit per seq per
/// member; recording a delivery takes an uncontended lock and no allocation.
/// </summary>
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
            _channels[channel].Receivers.Add(receiver);
            return receiver;
        }
    }

    /// <summary>The server acknowledged, at <paramref name="atMicros"/>, a send that got <paramref name="seq"/> in <paramref name="channel"/>.</summary>
    public void Acknowledge(int channel, long seq, long atMicros)
    {
        var track = _channels[channel];
        lock (track)
        {
            if (track.Acknowledged.Add(seq))
            {
                if (seq >= track.AcknowledgedAt.Length)
                {
                    Array.Resize(ref track.AcknowledgedAt, (int)Math.Max(seq + 1, track.AcknowledgedAt.Length * 2L));
                }

                track.AcknowledgedAt[seq] = atMicros;
            }
        }
    }

    /// <summary>Records that <paramref name="receiver"/> got <paramref name="seq"/>; says whether that was new, a duplicate, or out of order.</summary>
    public static DeliveryOutcome Deliver(Receiver receiver, long seq)
    {
        lock (receiver)
        {
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
    /// The verdict at <paramref name="nowMicros"/>. A delivery still missing counts as lost once
    /// its message was acknowledged at least <paramref name="graceMicros"/> earlier; before that it
    /// is only unsettled (acknowledgement and delivery race each other from the same commit).
    /// Cheap enough to poll while draining: a few words per member.
    /// </summary>
    public CorrectnessReport Check(long nowMicros, long graceMicros)
    {
        ChannelTrack[] channels;
        lock (_setup)
        {
            channels = [.. _channels];
        }

        long receivers = 0, disconnected = 0, acknowledged = 0, expected = 0, delivered = 0, unsettled = 0;
        long lostDeliveries = 0, lostMessages = 0, duplicates = 0, outOfOrder = 0, unacknowledged = 0;
        foreach (var channel in channels)
        {
            SeqBitSet acked;
            long[] ackedAt;
            lock (channel)
            {
                acked = channel.Acknowledged.Clone();
                ackedAt = (long[])channel.AcknowledgedAt.Clone();
            }

            acknowledged += acked.Count;
            var lost = new SeqBitSet();
            foreach (var receiver in channel.Receivers)
            {
                receivers++;
                lock (receiver)
                {
                    duplicates += receiver.Duplicates;
                    outOfOrder += receiver.OutOfOrder;
                    var common = acked.CountCommon(receiver.Received);
                    unacknowledged += receiver.Received.Count - common;
                    if (receiver.Disconnected)
                    {
                        disconnected++;
                        continue;
                    }

                    expected += acked.Count;
                    delivered += common;
                    foreach (var seq in acked.MissingFrom(receiver.Received))
                    {
                        if (nowMicros - ackedAt[seq] < graceMicros)
                        {
                            unsettled++;
                        }
                        else
                        {
                            lostDeliveries++;
                            lost.Add(seq);
                        }
                    }
                }
            }

            lostMessages += lost.Count;
        }

        return new CorrectnessReport(
            channels.Length, receivers, disconnected, acknowledged, expected, delivered,
            lostDeliveries, lostMessages, unsettled, duplicates, outOfOrder, unacknowledged);
    }

    /// <summary>One member's view of one channel. Lock it to read or write.</summary>
    public sealed class Receiver(int channel)
    {
        public int Channel { get; } = channel;
        internal SeqBitSet Received { get; } = new();
        internal long LastSeq { get; set; }
        internal long Duplicates { get; set; }
        internal long OutOfOrder { get; set; }
        internal bool Disconnected { get; set; }
    }

    private sealed class ChannelTrack
    {
        public long[] AcknowledgedAt = new long[1024];
        public SeqBitSet Acknowledged { get; } = new();
        public List<Receiver> Receivers { get; } = [];
    }
}

public enum DeliveryOutcome
{
    InOrder,
    Duplicate,
    OutOfOrder,
}

/// <summary>
/// Whether every acknowledged message reached every member. Counts are cumulative over the run.
/// </summary>
/// <param name="Receivers">Channel memberships watched (a client in three channels counts three times).</param>
/// <param name="DisconnectedReceivers">Memberships whose connection closed during the run; their misses are not counted as lost.</param>
/// <param name="Acknowledged">Messages the server acknowledged.</param>
/// <param name="ExpectedDeliveries">Acknowledged messages times the members of their channel that stayed connected.</param>
/// <param name="DeliveredAcknowledged">Of those, deliveries that arrived.</param>
/// <param name="LostDeliveries">Expected deliveries still missing a grace period (the drain time) after their acknowledgement.</param>
/// <param name="LostMessages">Acknowledged messages that at least one connected member lost.</param>
/// <param name="UnsettledDeliveries">Expected deliveries missing for messages acknowledged less than the grace period ago: neither lost nor delivered yet.</param>
/// <param name="Duplicates">Deliveries of a seq the member already had.</param>
/// <param name="OutOfOrder">Deliveries of a seq lower than one the member already had in that channel.</param>
/// <param name="UnacknowledgedDeliveries">Deliveries of messages whose send was never acknowledged (failed or timed out, yet stored).</param>
public sealed record CorrectnessReport(
    long Channels, long Receivers, long DisconnectedReceivers, long Acknowledged, long ExpectedDeliveries, long DeliveredAcknowledged,
    long LostDeliveries, long LostMessages, long UnsettledDeliveries, long Duplicates, long OutOfOrder, long UnacknowledgedDeliveries)
{
    public bool Passed => LostDeliveries == 0 && Duplicates == 0 && OutOfOrder == 0;
}
