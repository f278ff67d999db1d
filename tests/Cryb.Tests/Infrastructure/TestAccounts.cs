using Cryb.Identity;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// The service accounts every test cluster knows: the gateways' (acting for users, declared as in
/// every local cluster by <see cref="HostEnvironment"/>) and bots' (acting as themselves), with the
/// silo and gateway settings that declare them.
/// </summary>
public static class TestAccounts
{
    public static readonly ServiceCredential Gateway = new(HostEnvironment.GatewayAccount, "test-gateway-secret-that-is-at-least-32-chars");

    public static readonly ServiceCredential WelcomeBot = new("welcome-bot", "test-bot-secret-that-is-at-least-32-characters");

    /// <summary>Granted only reading history: to prove grants are enforced method by method.</summary>
    public static readonly ServiceCredential Archiver = new("archiver", "test-archiver-secret-at-least-32-characters");

    /// <summary>The bots' accounts, declared to the silos beside the gateways' (environment variable names).</summary>
    public static readonly IReadOnlyDictionary<string, string> BotAccounts = new Dictionary<string, string>
    {
        ["Security__Services__welcome-bot__Secret"] = WelcomeBot.Secret,
        ["Security__Services__welcome-bot__Grants__0"] = "IChannelGrain.*",
        ["Security__Services__welcome-bot__Grants__1"] = "IUserGrain.BanAccount",
        ["Security__Services__welcome-bot__Grants__2"] = "IUserGrain.UnbanAccount",
        ["Security__Services__welcome-bot__Grants__3"] = "IUserGrain.DeleteAccount",
        ["Security__Services__welcome-bot__Grants__4"] = "IUserGrain.GetStanding",
        // Granted, yet refused: subscribing is for gateways only (PushStreamTests).
        ["Security__Services__welcome-bot__Grants__5"] = "IStreamOwnerExtension.*",
        // Seeds servers in bulk (GuildGrainTests); acts in servers only where it is a member.
        ["Security__Services__welcome-bot__Grants__6"] = "IGuildGrain.*",
        ["Security__Services__welcome-bot__Grants__7"] = "IGuildInvitesGrain.*",
        ["Security__Services__archiver__Secret"] = Archiver.Secret,
        ["Security__Services__archiver__Grants__0"] = "IChannelGrain.GetHistory",
    };

    /// <summary>Every account setting of a test cluster, the silos' and the gateways' (environment variable names).</summary>
    public static IReadOnlyDictionary<string, string> Settings =>
        HostEnvironment.GatewayAccountDeclaration(Gateway.Secret)
            .Concat(HostEnvironment.GatewayCredential(Gateway.Secret))
            .Concat(BotAccounts)
            .ToDictionary();

    /// <summary>The same settings as in-memory configuration keys.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Configuration =>
        Settings.Select(pair => KeyValuePair.Create(pair.Key.Replace("__", ":"), (string?)pair.Value));

    /// <summary>A user as the gateway vouches for them.</summary>
    public static Caller User(string userId) => Caller.User(userId, Gateway);
}
