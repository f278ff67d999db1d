using Cryb.Channels;
using Cryb.Presence;

namespace Cryb.Gateway.Hubs;

/// <summary>A member as <c>GetMembers</c> returns it: role, and presence status when known.</summary>
public sealed record MemberWithPresence(string UserId, ChannelRole Role, PresenceStatus? Status);
