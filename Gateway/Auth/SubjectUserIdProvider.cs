using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Auth;

/// <summary>SignalR's user id is the token's <c>sub</c> claim (inbound claim mapping is off).</summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) =>
        connection.User.FindFirst(TokenIssuer.SubjectClaim)?.Value;
}
