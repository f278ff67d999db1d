namespace Cryb.Bench.Load;

/// <summary>
/// Who is where in a message scenario: each client's channel and gateway, and which clients send.
/// Sender <c>s</c> is client <c>s</c> and sends into that client's channel.
/// </summary>
public sealed class LoadShape
{
    private LoadShape(int[] channelOfClient, int[] gatewayOfClient, int channels, int senders)
    {
        ChannelOfClient = channelOfClient;
        GatewayOfClient = gatewayOfClient;
        Channels = channels;
        Senders = senders;
    }

    public IReadOnlyList<int> ChannelOfClient { get; }

    public IReadOnlyList<int> GatewayOfClient { get; }

    public int Clients => ChannelOfClient.Count;

    public int Channels { get; }

    public int Senders { get; }

    public int MembersOf(int channel) => ChannelOfClient.Count(c => c == channel);

    /// <summary>
    /// Client <c>c</c> is in channel <c>c mod K</c>, so channels are equal (±1) and the first
    /// <paramref name="senders"/> clients spread evenly over the channels. The j-th member of a
    /// channel (<c>j = c div K</c>) uses gateway <c>j mod G</c>: every channel has members on every
    /// gateway, so each message crosses gateways, and the gateways get equal shares.
    /// </summary>
    public static LoadShape Fanout(int clients, int channels, int senders, int gateways)
    {
        Require(channels >= 1 && channels <= clients, $"--channels must be 1 to --clients ({clients}), got {channels}.");
        Require(senders >= 1 && senders <= clients, $"--senders must be 1 to --clients ({clients}), got {senders}.");
        var channelOf = new int[clients];
        var gatewayOf = new int[clients];
        for (var c = 0; c < clients; c++)
        {
            channelOf[c] = c % channels;
            gatewayOf[c] = c / channels % gateways;
        }

        return new LoadShape(channelOf, gatewayOf, channels, senders);
    }

    /// <summary>
    /// A reconnect storm: client <c>c</c> in channel <c>c mod K</c> as in <see cref="Fanout"/>; the
    /// senders (the first <paramref name="senders"/>, at least one a channel) on the gateway that
    /// stays, every other client on the one that is killed.
    /// </summary>
    public static LoadShape Storm(int clients, int channels, int senders, int victim, int survivor)
    {
        Require(channels >= 1 && senders >= channels, $"--senders must be at least --channels ({channels}), one a channel, got {senders}.");
        Require(clients > senders, $"--connections must be positive, got {clients - senders}.");
        var channelOf = new int[clients];
        var gatewayOf = new int[clients];
        for (var c = 0; c < clients; c++)
        {
            channelOf[c] = c % channels;
            gatewayOf[c] = c < senders ? survivor : victim;
        }

        return new LoadShape(channelOf, gatewayOf, channels, senders);
    }

    /// <summary>Everyone in one channel: the senders first, then listeners that only receive; gateways round robin.</summary>
    public static LoadShape SingleChannel(int senders, int listeners, int gateways)
    {
        Require(senders >= 1, $"--senders must be at least 1, got {senders}.");
        var clients = senders + listeners;
        return new LoadShape(new int[clients], Enumerable.Range(0, clients).Select(c => c % gateways).ToArray(), 1, senders);
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new Cli.UsageException(message);
        }
    }
}
