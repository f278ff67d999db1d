using System.Security.Cryptography;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// A gateway configured with an OpenID Connect authority (and no HMAC key) accepts RS256 tokens
/// signed with a key from the authority's JWKS and refuses everything else at connect with 401.
/// </summary>
public sealed class OpenIdAuthorityTests(TestServers servers)
{
    private const string Audience = "cryb-api";

    [Fact]
    public async Task Tokens_signed_with_the_authoritys_key_connect_and_forged_ones_get_401()
    {
        await using var authority = await TestOpenIdAuthority.StartAsync();
        await using var cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 1, gatewaySettings: new Dictionary<string, string>
        {
            ["Auth__Authority"] = authority.Url,
            ["Auth__RequireHttpsMetadata"] = "false",
            ["Auth__Audience"] = Audience,
            ["Auth__SigningKey"] = "",
            ["Auth__DevTokens__Enabled"] = "false",
        });
        var gateway = cluster.Gateways[0].Url;

        var token = TestTokens.Create("alice", issuer: authority.Url, audience: Audience, credentials: authority.Credentials);
        await using var alice = await ChatTestClient.ConnectAsync(gateway, token, "alice");
        var channel = await alice.CreateChannelAsync("oidc");
        Assert.Equal(1, (await alice.SendMessageAsync(channel.Id, "signed by the authority")).Seq);
        Assert.True(authority.JwksRequests >= 1, "the gateway never fetched the authority's JWKS");

        using var otherKey = RSA.Create(2048);
        await Refusals.AssertConnectRefusedAsync(gateway, TestTokens.Create("mallory", issuer: authority.Url, audience: Audience, credentials: TestOpenIdAuthority.Forged(otherKey)));
        // Without Auth:SigningKey, HMAC tokens are not accepted at all, not even with the test key.
        await Refusals.AssertConnectRefusedAsync(gateway, TestTokens.Create("mallory", issuer: authority.Url, audience: Audience));

        Assert.Equal(2, (await alice.SendMessageAsync(channel.Id, "still connected")).Seq);
    }
}
