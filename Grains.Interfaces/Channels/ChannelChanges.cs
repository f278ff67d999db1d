using Cryb.Messages;

namespace Cryb.Channels;

/// <summary>
/// What a gateway fetches to fill a gap in a channel's events (<see cref="IChannelGrain.GetChangesAfter"/>):
/// each message changed after the given seq, once, in its latest state, in revision order (tombstones
/// included; <see cref="Truncated"/> when there are more), and which of the users the gateway asked
/// about are no longer members, so it stops delivering to them even if their <see cref="MemberLeft"/>
/// was lost too. Read from PostgreSQL: the highest revision seq listed is the latest committed change.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelChanges")]
public sealed record ChannelChanges(
    [property: Id(0)] IReadOnlyList<ChatMessage> Changes,
    [property: Id(1)] bool Truncated,
    [property: Id(2)] IReadOnlyList<string> NotMembers);
