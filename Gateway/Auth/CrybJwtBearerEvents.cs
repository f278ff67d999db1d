using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Cryb.Gateway.Auth;

/// <summary>
/// The gateway's JwtBearer events, resolved from DI (<c>EventsType</c>) so they can take services:
/// where the token is read from, extra checks on a valid token, and the audit of each refusal.
/// </summary>
public sealed class CrybJwtBearerEvents(AuthenticationAudit audit) : JwtBearerEvents
{
    /// <summary>
    /// WebSockets and server-sent events cannot set headers, so SignalR clients send the token as
    /// <c>access_token</c> in the query string; it is read only on the hub's paths.
    /// </summary>
    public override Task MessageReceived(MessageReceivedContext context)
    {
        if (context.HttpContext.Request.Path.StartsWithSegments("/hubs")
            && context.Request.Query["access_token"] is { Count: > 0 } token)
        {
            context.Token = token;
        }

        return base.MessageReceived(context);
    }

    /// <summary>
    /// The token is genuine and current. Checks that need our own data (a banned or deleted user)
    /// belong here: call <c>context.Fail("reason")</c> to refuse with 401; the refusal is then
    /// audited by <see cref="Challenge"/> like any other.
    /// </summary>
    public override Task TokenValidated(TokenValidatedContext context) => base.TokenValidated(context);

    /// <summary>
    /// Runs once per refused request (authorization asked for a user and there is none), so each
    /// refusal is audited exactly once; a bad token on an anonymous endpoint is not a refusal.
    /// </summary>
    public override Task Challenge(JwtBearerChallengeContext context)
    {
        audit.Unauthenticated(context.HttpContext, context.AuthenticateFailure);
        return base.Challenge(context);
    }
}
