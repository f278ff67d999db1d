using Cryb.Grains.Streaming;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Notifications;
using Cryb.Users;
using Orleans.Streams;

namespace Cryb.Grains.Notifications;

/// <summary>
/// A user's inbox: reads and the read cursor in <see cref="INotificationStore"/>, nothing held in
/// memory that storage does not have, so any activation answers the same. Calls of one user run
/// one at a time, but reads interleave.
/// </summary>
public sealed class NotificationGrain(INotificationStore store, TimeProvider time) : Grain, INotificationGrain
{
    private string UserId => this.GetPrimaryKeyString();

    public async Task<IReadOnlyList<Notification>> Get(Caller caller, long? beforeSeq, int limit, bool unreadOnly)
    {
        RequireSelf(caller);
        return await store.GetBeforeAsync(UserId, beforeSeq ?? long.MaxValue, Page(limit), unreadOnly);
    }

    public async Task<NotificationResume> Resume(Caller caller, long afterSeq)
    {
        RequireSelf(caller);
        var (lastSeq, ackedSeq) = await store.GetCursorAsync(UserId);
        if (afterSeq >= lastSeq)
        {
            return new NotificationResume([], false, lastSeq, ackedSeq);
        }

        var page = await store.GetAfterAsync(UserId, Math.Max(0, afterSeq), NotificationLimits.MaxPage + 1);
        var truncated = page.Count > NotificationLimits.MaxPage;
        return new NotificationResume(truncated ? page.Take(NotificationLimits.MaxPage).ToArray() : page, truncated, lastSeq, ackedSeq);
    }

    public Task<NotificationSummary> GetSummary(Caller caller, IReadOnlyDictionary<string, long> lastReadSeqs)
    {
        RequireSelf(caller);
        return store.GetSummaryAsync(UserId, lastReadSeqs ?? new Dictionary<string, long>());
    }

    public async Task<NotificationsAcked> Ack(Caller caller, long upToSeq)
    {
        RequireSelf(caller);
        var (ackedSeq, unread) = await store.AckAsync(UserId, upToSeq);
        var acked = new NotificationsAcked(UserId, ackedSeq, unread);
        await this.UserStream(UserId).OnNextAsync(acked);
        return acked;
    }

    public Task<IReadOnlyList<NotificationSetting>> GetSettings(Caller caller)
    {
        RequireSelf(caller);
        return store.GetSettingsAsync(UserId);
    }

    public async Task<NotificationSetting> UpdateSettings(Caller caller, NotificationSetting setting)
    {
        RequireSelf(caller);
        if (setting is null || (setting.Level is { } level && !Enum.IsDefined(level)))
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "A level is all, mentions, none or null (inherit).");
        }

        var scope = NotificationScope.Parse(setting.Scope);
        // A mute that has ended is no mute: stored as none, so the setting may become the default.
        var valid = setting with
        {
            Scope = scope.ToString(),
            MutedUntil = setting.MutedUntil is { } until && until > time.GetUtcNow() ? until : null,
        };
        if (!await store.SaveSettingAsync(UserId, scope, valid))
        {
            throw new ChatException(ErrorCodes.LimitReached, $"A user may set notifications for {NotificationLimits.MaxSettings} servers and channels; reset one first.");
        }

        return valid;
    }

    public async Task RegisterPushSubscription(Caller caller, PushSubscription subscription)
    {
        RequireSelf(caller);
        await store.RegisterPushAsync(UserId, PushSubscriptionRules.Validate(subscription), time.GetUtcNow());
    }

    public async Task UnregisterPushSubscription(Caller caller, string endpoint)
    {
        RequireSelf(caller);
        await store.UnregisterPushAsync(UserId, endpoint ?? "");
    }

    private static int Page(int limit) =>
        limit is >= 1 and <= NotificationLimits.MaxPage
            ? limit
            : throw new ChatException(ErrorCodes.InvalidArgument, $"Ask for 1 to {NotificationLimits.MaxPage} notifications.");

    private void RequireSelf(Caller caller)
    {
        if (caller.Kind != CallerKind.User || caller.Id != UserId)
        {
            throw new ChatException(ErrorCodes.Forbidden, "A user's notifications are their own.");
        }
    }
}
