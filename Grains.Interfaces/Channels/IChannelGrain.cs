using Cryb.Identity;
using Cryb.Messages;

namespace Cryb.Channels;

/// <summary>
/// A channel, keyed by its id. It owns the channel's membership and its message sequence, appends
/// messages to PostgreSQL and publishes <see cref="ChannelEvent"/>s on the channel's stream.
/// </summary>
[Alias("cryb.IChannelGrain")]
public interface IChannelGrain : IGrainWithStringKey
{
    /// <summary>Creates the channel with <paramref name="caller"/> as owner and first member.</summary>
    [Alias("Create")]
    Task<ChannelInfo> Create(Caller caller, string name, bool isPrivate);

    /// <summary>Adds the caller as a member and returns what they missed after <paramref name="sinceSeq"/>.</summary>
    [Alias("Join")]
    Task<JoinResult> Join(Caller caller, long? sinceSeq);

    /// <summary>Stores a message durably, then publishes <see cref="MessageCreated"/>.</summary>
    [Alias("SendMessage")]
    Task<ChatMessage> SendMessage(Caller caller, SendMessageRequest request);

    /// <summary>Messages before <paramref name="beforeSeq"/> (or the newest), newest first, at most 100.</summary>
    [Alias("GetHistory")]
    Task<IReadOnlyList<ChatMessage>> GetHistory(Caller caller, long? beforeSeq, int limit);

    /// <summary>The channel's description, for members.</summary>
    [Alias("GetInfo")]
    Task<ChannelInfo> GetInfo(Caller caller);
}
