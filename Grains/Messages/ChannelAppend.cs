using Cryb.Messages;

namespace Cryb.Grains.Messages;

/// <summary>
/// New messages of one channel, to be stored at consecutive seqs after <see cref="AfterSeq"/> in list
/// order: all of them or none, though the transaction may hold other channels' too.
/// </summary>
/// <param name="Messages">No two with the same author and nonce; their seqs are ignored.</param>
public sealed record ChannelAppend(string ChannelId, long AfterSeq, IReadOnlyList<ChatMessage> Messages);
