using Cryb.Hosting;
using Cryb.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Cryb.Tests.Hosting;

/// <summary>The silo's failure detection settings (<c>Membership__*</c>) reach Orleans, and nonsense stops the silo naming the setting.</summary>
public sealed class FailureDetectionSettingsTests
{
    [Fact]
    public void The_defaults_decide_within_6_s_and_keep_votes_long_enough_to_meet()
    {
        var settings = Bind([]);
        var options = new ClusterMembershipOptions();

        settings.ApplyTo(options);

        Assert.Equal(TimeSpan.FromSeconds(1), options.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxProbeTimeout);
        Assert.Equal(3, options.NumMissedProbesLimit);
        Assert.Equal(2, options.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(6), settings.DetectionWindow);
        Assert.True(options.DeathVoteExpirationTimeout >= settings.DetectionWindow);
    }

    [Fact]
    public void Every_setting_is_taken_from_configuration()
    {
        var options = new ClusterMembershipOptions();

        Bind(new()
        {
            ["Membership:ProbeTimeout"] = "00:00:03",
            ["Membership:MaxProbeTimeout"] = "00:00:06",
            ["Membership:NumMissedProbesLimit"] = "4",
            ["Membership:NumVotesForDeathDeclaration"] = "1",
            ["Membership:DeathVoteExpirationTimeout"] = "00:01:00",
        }).ApplyTo(options);

        Assert.Equal(
            (TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), 4, 1, TimeSpan.FromMinutes(1)),
            (options.ProbeTimeout, options.MaxProbeTimeout, options.NumMissedProbesLimit, options.NumVotesForDeathDeclaration, options.DeathVoteExpirationTimeout));
    }

    [Theory]
    [InlineData("ProbeTimeout", "00:00:00.100", "Membership:ProbeTimeout")]
    [InlineData("NumMissedProbesLimit", "0", "Membership:NumMissedProbesLimit")]
    [InlineData("NumVotesForDeathDeclaration", "11", "Membership:NumVotesForDeathDeclaration")]
    [InlineData("MaxProbeTimeout", "00:00:00.600", "Membership:MaxProbeTimeout")]
    [InlineData("DeathVoteExpirationTimeout", "00:00:03", "Membership:DeathVoteExpirationTimeout")]
    public void A_setting_out_of_range_or_inconsistent_stops_the_silo_naming_it(string key, string value, string named)
    {
        var refusal = Assert.Throws<OptionsValidationException>(() => Bind(new() { [$"Membership:{key}"] = value }));

        Assert.Contains(named, refusal.Message);
    }

    private static FailureDetectionSettings Bind(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build()
            .BindValidated<FailureDetectionSettings>(FailureDetectionSettings.Section);
}
