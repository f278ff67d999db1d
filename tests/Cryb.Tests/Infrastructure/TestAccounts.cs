using Cryb.Identity;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// The service accounts every test cluster knows: the gateways' (acting for users) and a bot's
/// (acting as itself, on channels only), with the silo and gateway settings that declare them.
/// </summary>
public static class TestAccounts
{
    public static readonly ServiceCredential Gateway = new("gateway", "test-gateway-secret-that-is-at-least-32-chars");

    public static readonly ServiceCredential WelcomeBot = new("welcome-bot", "test-bot-secret-that-is-at-least-32-characters");

    /// <summary>Granted only reading history: to prove grants are enforced method by method.</summary>
    public static readonly ServiceCredential Archiver = new("archiver", "test-archiver-secret-at-least-32-characters");

    /// <summary>Configuration keys as environment variables use them (<c>__</c> for <c>:</c>).</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Security__Services__gateway__Secret"] = Gateway.Secret,
        ["Security__Services__gateway__ActAsUsers"] = "true",
        ["Security__Services__gateway__Grants__0"] = "*",
        ["Security__Services__welcome-bot__Secret"] = WelcomeBot.Secret,
        ["Security__Services__welcome-bot__Grants__0"] = "IChannelGrain.*",
        ["Security__Services__welcome-bot__Grants__1"] = "IUserGrain.BanAccount",
        ["Security__Services__welcome-bot__Grants__2"] = "IUserGrain.UnbanAccount",
        ["Security__Services__welcome-bot__Grants__3"] = "IUserGrain.DeleteAccount",
        ["Security__Services__welcome-bot__Grants__4"] = "IUserGrain.GetStanding",
        // Granted, yet refused: subscribing is for gateways only (PushStreamTests).
        ["Security__Services__welcome-bot__Grants__5"] = "IStreamOwnerExtension.*",
        ["Security__Services__archiver__Secret"] = Archiver.Secret,
        ["Security__Services__archiver__Grants__0"] = "IChannelGrain.GetHistory",
        ["Security__ServiceName"] = Gateway.Name,
        ["Security__ServiceSecret"] = Gateway.Secret,
    };

    /// <summary>The same settings as in-memory configuration keys.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Configuration =>
        Settings.Select(pair => KeyValuePair.Create(pair.Key.Replace("__", ":"), (string?)pair.Value));

    /// <summary>A user as the gateway vouches for them.</summary>
    public static Caller User(string userId) => Caller.User(userId, Gateway);
}
