using System.ComponentModel.DataAnnotations;
using Orleans.Configuration;

namespace Cryb.Silo.Hosting;

/// <summary>
/// How fast silos declare a dead or frozen silo dead (configuration section <c>Membership</c>, named
/// after Orleans' <see cref="ClusterMembershipOptions"/>, whose properties these set). Until a silo is
/// declared dead, calls to the grains it held wait or fail, so this is how long a killed silo's
/// channels refuse sends.
/// </summary>
/// <remarks>
/// Orleans' defaults (probe timeout 5 s, up to 20 s while the prober looks degraded, three missed
/// probes, votes kept 2 min) took about 12 s after a <c>kill -9</c> and 111 s after a <c>SIGSTOP</c>
/// in the fault suite here: a frozen silo's connection stays open, and Orleans does not vote against
/// a silo whose connection carried a message within <c>MaxProbeTimeout × NumMissedProbesLimit</c>
/// (60 s by default). The defaults below shorten that window to 6 s. They are safe against false
/// positives for the same reason: a silo that answers anything, a probe or a grain call, within the
/// window is not voted against, so a slow silo under load is not declared dead (docs/reliability.md
/// "Failover" has the run at full bench load that checks it).
/// </remarks>
public sealed class FailureDetectionSettings : IValidatableObject
{
    public const string Section = "Membership";

    /// <summary>The first probe timeout; Orleans adapts it to observed probe times, between half of it and <see cref="MaxProbeTimeout"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a probe may wait, also while the probing silo itself looks degraded.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:05:00")]
    public TimeSpan MaxProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Probes missed in a row before a silo votes the other one dead.</summary>
    [Range(1, 10)]
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>Votes that declare a silo dead; Orleans asks for fewer when fewer silos are alive to vote.</summary>
    [Range(1, 10)]
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>How long a vote counts. Votes older than this are dropped, so two silos must suspect the same silo within it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What Orleans waits for at most before it votes: the longest probe, times the misses.</summary>
    public TimeSpan DetectionWindow => MaxProbeTimeout * NumMissedProbesLimit;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxProbeTimeout < ProbeTimeout)
        {
            yield return new ValidationResult(
                $"must be at least ProbeTimeout ({ProbeTimeout}) (environment variable {Section}__{nameof(MaxProbeTimeout)})",
                [nameof(MaxProbeTimeout)]);
        }

        // A vote that expires before a second silo can reach its own verdict never meets another.
        if (DeathVoteExpirationTimeout < DetectionWindow)
        {
            yield return new ValidationResult(
                $"must be at least MaxProbeTimeout × NumMissedProbesLimit ({DetectionWindow}), or votes expire before a second silo can cast one (environment variable {Section}__{nameof(DeathVoteExpirationTimeout)})",
                [nameof(DeathVoteExpirationTimeout)]);
        }
    }

    public void ApplyTo(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = ProbeTimeout;
        options.MaxProbeTimeout = MaxProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
        options.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        options.DeathVoteExpirationTimeout = DeathVoteExpirationTimeout;
    }
}
