using Cryb.Gateway.Hosting;
using Cryb.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Cryb.Tests.Hosting;

/// <summary>How the gateway finds dead connections (<c>Gateway__Hub__*</c>): defaults that show a vanished client offline within 30 s, and nonsense refused at start.</summary>
public sealed class ChatHubOptionsTests
{
    [Fact]
    public void The_defaults_close_a_silent_connection_after_20_s_and_ping_every_10_s()
    {
        var options = Bind([]);

        Assert.Equal(TimeSpan.FromSeconds(20), options.ClientTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.KeepAliveInterval);
    }

    [Fact]
    public void Both_come_from_configuration()
    {
        var options = Bind(new() { ["Gateway:Hub:ClientTimeout"] = "00:01:00", ["Gateway:Hub:KeepAliveInterval"] = "00:00:05" });

        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5)), (options.ClientTimeout, options.KeepAliveInterval));
    }

    [Theory]
    [InlineData("ClientTimeout", "00:00:01", "Gateway:Hub:ClientTimeout")]
    [InlineData("KeepAliveInterval", "00:00:15", "Gateway:Hub:KeepAliveInterval")]
    [InlineData("KeepAliveInterval", "00:00:00", "Gateway:Hub:KeepAliveInterval")]
    public void A_value_that_would_lose_live_connections_is_refused_naming_the_setting(string name, string value, string named)
    {
        var refusal = Assert.Throws<OptionsValidationException>(() => Bind(new() { [$"Gateway:Hub:{name}"] = value }));

        Assert.Contains($"Invalid setting {named}", refusal.Message);
    }

    private static ChatHubOptions Bind(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().BindValidated<ChatHubOptions>(ChatHubOptions.Section);
}
