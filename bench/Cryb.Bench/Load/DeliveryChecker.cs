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
                        lostDeliveries++;
                        lost.Add(seq);
                    }
                }
            }

            lostMessages += lost.Count;
        }

        return new CorrectnessReport(
            channels.Length, receivers, disconnected, acknowledged, expected, delivered,
            lostDeliveries, lostMessages, duplicates, outOfOrder, unacknowledged);
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
/// <param name="LostDeliveries">Expected deliveries missing when checked; after a drain, lost however recent their acknowledgement.</param>
/// <param name="LostMessages">Acknowledged messages that at least one connected member lost.</param>
/// <param name="Duplicates">Deliveries of a seq the member already had.</param>
/// <param name="OutOfOrder">Deliveries of a seq lower than one the member already had in that channel.</param>
/// <param name="UnacknowledgedDeliveries">Deliveries of messages whose send was never acknowledged (failed or timed out, yet stored).</param>
public sealed record CorrectnessReport(
    long Channels, long Receivers, long DisconnectedReceivers, long Acknowledged, long ExpectedDeliveries, long DeliveredAcknowledged,
    long LostDeliveries, long LostMessages, long Duplicates, long OutOfOrder, long UnacknowledgedDeliveries);
