using Cryb.Errors;
using Cryb.Grains.Telemetry;
using Cryb.Identity;
using Microsoft.Extensions.Logging;

namespace Cryb.Grains.Security;

/// <summary>
/// The silos' front door for the Orleans client. A call from a client (a gateway or a backend
/// service) into a Cryb grain must carry a valid service credential, in its <see cref="Caller"/>
/// or as a <see cref="ServiceCredential"/> argument, whose account is granted that method; a user
/// caller also needs an account allowed to act for users. Methods with neither argument are
/// silo-internal (grains call them on each other) and refused from clients. Grain-to-grain calls
/// pass untouched: the grains then authorize the caller against their own state.
/// </summary>
/// <remarks>
/// This checks who vouches for a call, not the network: keep the silos' gateway port on a private
/// network (or behind mutual TLS), since a client that can reach it can try credentials.
/// </remarks>
public sealed partial class CallerAuthorizationFilter(
    ServiceAccounts accounts,
    SiloMetrics metrics,
    ILogger<CallerAuthorizationFilter> logger) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (IsFromClient(context) && context.InterfaceMethod.DeclaringType?.Assembly == typeof(Caller).Assembly)
        {
            Authorize(context);
        }

        return context.Invoke();
    }

    private static bool IsFromClient(IIncomingGrainCallContext context) =>
        context.SourceId is not { } source || GrainTypePrefix.IsClient(source);

    private void Authorize(IIncomingGrainCallContext context)
    {
        var (caller, credential) = IdentityArguments(context.Request);
        var interfaceName = context.InterfaceMethod.DeclaringType!.Name;
        var method = $"{interfaceName}.{context.InterfaceMethod.Name}";
        if (credential is null)
        {
            throw Refuse(ErrorCodes.Unauthenticated, method, caller, "no service credential",
                caller is null ? "This method is internal to the cluster." : "Pass a caller with the credential of a service account.");
        }

        var account = accounts.Verify(credential)
            ?? throw Refuse(ErrorCodes.Unauthenticated, method, caller, "unknown account or wrong secret", "The service credential is not valid.");
        if (caller is { Kind: CallerKind.User } && !account.ActAsUsers)
        {
            throw Refuse(ErrorCodes.Forbidden, method, caller, "account may not act for users", "This service account may not act for users.");
        }

        if (caller is { Kind: CallerKind.Service } && caller.Id != credential.Name)
        {
            throw Refuse(ErrorCodes.Forbidden, method, caller, "service caller is not the credential's account", "A service acts only as itself.");
        }

        if (!ServiceAccounts.Allows(account, interfaceName, context.InterfaceMethod.Name))
        {
            throw Refuse(ErrorCodes.Forbidden, method, caller, "method not granted", $"This service account is not granted {method}.");
        }

        // Only bare-credential methods can be gateway-only; user and service callers never pay for the lookup.
        if (caller is null && !account.ActAsUsers && context.InterfaceMethod.IsDefined(typeof(GatewayOnlyAttribute), inherit: false))
        {
            throw Refuse(ErrorCodes.Forbidden, method, caller, "method is for gateways only", $"{method} is for gateways (accounts that act for users) only.");
        }
    }

    private static (Caller? Caller, ServiceCredential? Credential) IdentityArguments(Orleans.Serialization.Invocation.IInvokable request)
    {
        for (var i = 0; i < request.GetArgumentCount(); i++)
        {
            switch (request.GetArgument(i))
            {
                case Caller caller:
                    return (caller, caller.Via);
                case ServiceCredential credential:
                    return (null, credential);
            }
        }

        return (null, null);
    }

    private ChatException Refuse(string code, string method, Caller? caller, string why, string message)
    {
        LogRefused(method, caller?.Via?.Name ?? "(none)", caller?.MemberId ?? "(none)", why);
        metrics.AuthorizationRefused(code);
        return new ChatException(code, message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused client call {Method} via service account {Account} for {MemberId}: {Why}")]
    private partial void LogRefused(string method, string account, string memberId, string why);
}
