using Cryb.Grains.Notifications;
using Cryb.Messages;
using Cryb.Notifications;

namespace Cryb.Grains.Messages;

/// <summary>
/// New messages of one channel, to be stored at consecutive seqs after <see cref="AfterSeq"/> in list
/// order: all of them or none, though the transaction may hold other channels' too; with them, the
/// notifications they cause.
/// </summary>
/// <param name="Messages">No two with the same author and nonce; their seqs are ignored.</param>
/// <param name="Notifications">
/// Drafts for these messages (<see cref="NotificationDraft.MessageId"/>): written in the same
/// transaction, those of a message not stored (a resend) left out, each with its message's seq.
/// </param>
public sealed record ChannelAppend(string ChannelId, long AfterSeq, IReadOnlyList<ChatMessage> Messages, IReadOnlyList<NotificationDraft> Notifications);

/// <summary>What an append stored: the messages, in seq order, and the notifications written with them.</summary>
public sealed record StoredAppend(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<WrittenNotification> Notifications);
