using System.ComponentModel.DataAnnotations;
using Cryb.Grains.Notifications.Push;
using Cryb.Notifications;
using Cryb.Testing.WebPush;
using Cryb.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Cryb.Tests.Push;

/// <summary>The VAPID settings: checked at start, naming the setting; absent, push is off.</summary>
public sealed class PushSettingsTests(TestServers servers)
{
    private static readonly VapidPair Pair = VapidPair.Generate();
    private static readonly VapidPair OtherPair = VapidPair.Generate();

    public static TheoryData<string, string?, string?, string?> Invalid => new()
    {
        { "Push__PrivateKey", "mailto:ops@cryb.test", Pair.PublicKey, OtherPair.PrivateKey },
        { "Push__PublicKey", "mailto:ops@cryb.test", "not-a-key", Pair.PrivateKey },
        { "Push__PrivateKey", "mailto:ops@cryb.test", Pair.PublicKey, "c2hvcnQ" },
        { "Push__Subject", "http://cryb.test/contact", Pair.PublicKey, Pair.PrivateKey },
        { "Push__PublicKey", "mailto:ops@cryb.test", null, null },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void A_malformed_or_mismatched_VAPID_setting_is_refused_naming_its_environment_variable(string variable, string? subject, string? publicKey, string? privateKey)
    {
        var options = new PushOptions { Subject = subject, PublicKey = publicKey, PrivateKey = privateKey };
        var results = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.Contains(results, result => result.ErrorMessage!.Contains(variable, StringComparison.Ordinal));
    }

    [Fact]
    public void A_generated_pair_with_a_contact_is_valid_and_no_keys_at_all_is_push_off()
    {
        var on = new PushOptions { Subject = "https://cryb.test/contact", PublicKey = Pair.PublicKey, PrivateKey = Pair.PrivateKey };
        var off = new PushOptions();

        Assert.True(Validator.TryValidateObject(on, new ValidationContext(on), [], validateAllProperties: true));
        Assert.True(Validator.TryValidateObject(off, new ValidationContext(off), [], validateAllProperties: true));
        Assert.False(off.Enabled);
    }

    [Fact]
    public async Task A_silo_whose_VAPID_private_key_is_not_its_public_keys_pair_does_not_start()
    {
        var builder = ClusterFixture.CrybBuilder(servers, silos: 1);
        builder.ConfigureSiloHost((_, host) => host.Configuration.AddInMemoryCollection(
        [
            new("Push:Subject", "mailto:ops@cryb.test"),
            new("Push:PublicKey", Pair.PublicKey),
            new("Push:PrivateKey", OtherPair.PrivateKey),
        ]));
        await using var cluster = builder.Build();

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => cluster.DeployAsync(TestContext.Current.CancellationToken));

        Assert.Contains("is not the private half of Push:PublicKey", refused.ToString(), StringComparison.Ordinal);
        Assert.Contains("Push__PrivateKey", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateways_read_no_push_key_from_a_cluster_without_one()
    {
        var builder = ClusterFixture.CrybBuilder(servers, silos: 1);
        await using var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);

        Assert.Null(await cluster.Client.GetGrain<IPushKeyGrain>(0).GetPublicKey(TestAccounts.User(TestUsers.New("alice"))));
    }
}
