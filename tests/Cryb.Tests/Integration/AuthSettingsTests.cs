using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>Unsafe or unusable authentication settings stop a gateway at start with a message naming the setting.</summary>
public sealed class AuthSettingsTests(TestServers servers)
{
    [Theory]
    [InlineData("Auth__SigningKey", "too-short", "Auth__SigningKey")]
    [InlineData("Auth__SigningKey", "", "Auth__SigningKey")]
    [InlineData("Auth__Authority", "http://login.example", "Auth__RequireHttpsMetadata")]
    [InlineData("Cors__AllowedOrigins__0", "*", "Cors__AllowedOrigins")]
    [InlineData("Cors__AllowedOrigins__0", "https://app.example/path", "Cors__AllowedOrigins")]
    public async Task A_gateway_refuses_to_start_with_a_bad_setting(string setting, string value, string named)
    {
        await using var cluster = await ProcessCluster.CreateAsync(servers, silos: 0, gateways: 1,
            gatewaySettings: new Dictionary<string, string> { [setting] = value });
        var gateway = cluster.Gateways[0];

        gateway.Start();

        Assert.NotEqual(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(named, gateway.LogTail());
    }

    [Fact]
    public async Task An_authority_with_dev_tokens_still_needs_the_signing_key_they_are_signed_with()
    {
        await using var cluster = await ProcessCluster.CreateAsync(servers, silos: 0, gateways: 1, gatewaySettings: new Dictionary<string, string>
        {
            ["Auth__Authority"] = "https://login.example",
            ["Auth__SigningKey"] = "",
        });
        var gateway = cluster.Gateways[0];

        gateway.Start();

        Assert.NotEqual(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Auth__DevTokens__Enabled", gateway.LogTail());
    }
}
