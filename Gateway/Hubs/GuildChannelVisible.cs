using Cryb.Guilds;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// A server channel came into the connection's view through a change of who may do what (a role
/// given or its permissions changed, an overwrite, the owner): its record, for the client's channel
/// list, which otherwise learns of a channel only from <c>GuildCreated</c> or the channel's own
/// events. Not versioned like server events: it describes the channel as it is when sent, and the
/// channel's later changes come after it. A text channel also comes as <c>ChannelAdded</c>; going out
/// of view is <c>ChannelRemoved</c> (reason <c>no_access</c>) for every type.
/// </summary>
public sealed record GuildChannelVisible(string GuildId, GuildChannel Channel);
