using Cryb.Messages;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// The events the server pushes to clients. The method names are the public protocol's event
/// names (SignalR sends them as written here); payloads serialize in camelCase.
/// </summary>
public interface IChatClient
{
    /// <summary>A message was stored in a channel the user belongs to, sender included.</summary>
    Task MessageCreated(ChatMessage message);
}
