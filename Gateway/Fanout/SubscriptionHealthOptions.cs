using System.ComponentModel.DataAnnotations;

namespace Cryb.Gateway.Fanout;

/// <summary>How often the gateway checks its stream subscriptions (configuration section <c>Gateway:Subscriptions</c>).</summary>
public sealed class SubscriptionHealthOptions
{
    public const string Section = "Gateway:Subscriptions";

    /// <summary>
    /// Between two checks of every subscription with its stream's owner, besides the checks that
    /// follow a silo leaving or joining. A check renews the subscription's lease (three intervals)
    /// and costs one call per subscribed stream (one per channel and per user with a connection
    /// here), so a gateway with 10,000 streams makes about 170 calls a second at the default; a
    /// subscription the owner lost without the connection events revealing it is found within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the gateway reads the cluster's live silos from the membership table (one Redis
    /// read): a silo that died, or came back with a new generation, took its owner grains'
    /// subscriptions with it, so a change starts the checks that follow a silo change.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan MembershipPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
