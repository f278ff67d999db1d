using System.Net;
using System.Net.Http.Headers;
using Cryb.Grains.Notifications.Push;
using Cryb.Notifications;
using Lib.Net.Http.WebPush;

namespace Cryb.Tests.Push;

/// <summary>The push outbox's rules without a cluster: what an answer means, how long a retry waits, the urgency of each kind.</summary>
public sealed class PushRulesTests
{
    private static readonly PushOptions Options = new() { RetryBase = TimeSpan.FromSeconds(1), RetryMax = TimeSpan.FromSeconds(30) };

    [Theory]
    [InlineData(HttpStatusCode.Created, "Delivered")]
    [InlineData(HttpStatusCode.Gone, "Gone")]
    [InlineData(HttpStatusCode.NotFound, "Gone")]
    [InlineData(HttpStatusCode.TooManyRequests, "Retry")]
    [InlineData(HttpStatusCode.BadGateway, "Retry")]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, "Rejected")]
    [InlineData(HttpStatusCode.Forbidden, "Rejected")]
    public void A_push_services_answer_decides_the_rows_fate(HttpStatusCode status, string fate) =>
        Assert.Equal(fate, PushSender.Classify(status, null, null).GetType().Name);

    [Fact]
    public void A_retry_waits_half_to_all_of_the_doubled_base_capped_and_never_less_than_Retry_After()
    {
        for (var attempts = 1; attempts <= 8; attempts++)
        {
            var full = TimeSpan.FromTicks(Math.Min(Options.RetryBase.Ticks << (attempts - 1), Options.RetryMax.Ticks));
            var wait = PushOutboxWorker.RetryWait(Options, attempts, null);
            Assert.InRange(wait, full / 2, full);
        }

        Assert.Equal(TimeSpan.FromSeconds(120), PushOutboxWorker.RetryWait(Options, 1, TimeSpan.FromSeconds(120)));
        var retry = Assert.IsType<PushResult.Retry>(PushSender.Classify(HttpStatusCode.TooManyRequests, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), null));
        Assert.Equal(TimeSpan.FromSeconds(7), retry.RetryAfter);
    }

    [Theory]
    [InlineData(NotificationKind.DirectMessage, PushMessageUrgency.High)]
    [InlineData(NotificationKind.Mention, PushMessageUrgency.High)]
    [InlineData(NotificationKind.Everyone, PushMessageUrgency.High)]
    [InlineData(NotificationKind.RoleMention, PushMessageUrgency.High)]
    [InlineData(NotificationKind.Reply, PushMessageUrgency.Normal)]
    [InlineData(NotificationKind.FriendRequest, PushMessageUrgency.Normal)]
    [InlineData(NotificationKind.Reaction, PushMessageUrgency.Low)]
    [InlineData(NotificationKind.Message, PushMessageUrgency.Low)]
    public void Urgency_follows_the_kinds_priority(NotificationKind kind, PushMessageUrgency urgency) =>
        Assert.Equal(urgency, PushSender.UrgencyOf(Notification.PriorityOf(kind)));
}
