using System.Security.Claims;
using Cryb.Identity;
using Cryb.Users;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cryb.Gateway.Auth;

/// <summary>
/// The gateway's JwtBearer events, resolved from DI (<c>EventsType</c>) so they can take services:
/// where the token is read from, extra checks on a valid token, and the audit of each refusal.
/// </summary>
public sealed class CrybJwtBearerEvents(AuthenticationAudit audit, IClusterClient cluster, ServiceCredential account, AccountStandingCache standings) : JwtBearerEvents
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
    /// The token is genuine and current; the account must also be in good standing: a banned or
    /// deleted user is refused with 401 (audited by <see cref="Challenge"/> as <c>account_disabled</c>)
    /// before any connection exists. If the cluster cannot answer, the request fails closed. A standing
    /// found active within the last seconds is not asked again (<see cref="AccountStandingCache"/>).
    /// </summary>
    public override async Task TokenValidated(TokenValidatedContext context)
    {
        if (context.Principal?.FindFirst(TokenIssuer.SubjectClaim)?.Value is { } userId && Ids.IsValid(userId)
            && !standings.IsKnownActive(userId))
        {
            AccountStanding standing;
            try
            {
                standing = await cluster.GetGrain<IUserGrain>(userId).GetStanding(Caller.User(userId, account));
            }
            catch (Exception ex)
            {
                // Unknown standing: refuse (counted under reason "error", which an operator watches)
                // rather than let a banned user through while the cluster cannot answer.
                context.Fail(ex);
                return;
            }

            if (standing != AccountStanding.Active)
            {
                context.Fail(new AccountNotActiveException(standing));
                return;
            }

            standings.RememberActive(userId);
        }

        context.Principal = Slim(context.Principal, context.Scheme.Name);
        await base.TokenValidated(context);
    }

    /// <summary>
    /// The claims the gateway reads (<c>sub</c>, <c>name</c>, <c>exp</c>) and nothing else. A hub
    /// connection keeps its principal for its whole life; the one JwtBearer builds also holds every
    /// other claim and the parsed token behind it, about 2.5 KB per idle connection (measured with
    /// dotnet-gcdump over 4000 connections), which this one does not.
    /// </summary>
    private static ClaimsPrincipal? Slim(ClaimsPrincipal? principal, string authenticationType)
    {
        if (principal is null)
        {
            return null;
        }

        var kept = principal.Claims
            .Where(claim => claim.Type is TokenIssuer.SubjectClaim or TokenIssuer.NameClaim or JwtRegisteredClaimNames.Exp)
            .Select(claim => new Claim(claim.Type, claim.Value));
        return new ClaimsPrincipal(new ClaimsIdentity(kept, authenticationType, TokenIssuer.NameClaim, roleType: null));
    }

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
