using Cryb.Grains.Notifications;
using Cryb.Notifications;

namespace Cryb.Silo.Notifications;

/// <summary>
/// Deletes notifications past their keeping (<see cref="NotificationLimits.KeptFor"/> old and not
/// among their user's newest <see cref="NotificationLimits.KeptPerUser"/>), once an hour, in
/// bounded batches. Every silo runs it; two at once delete different rows or none twice.
/// </summary>
public sealed partial class NotificationRetention(INotificationStore store, TimeProvider time, ILogger<NotificationRetention> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private const int Batch = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var deleted = 0;
                int batch;
                do
                {
                    batch = await store.DeleteExpiredAsync(time.GetUtcNow(), Batch);
                    deleted += batch;
                }
                while (batch == Batch && !stoppingToken.IsCancellationRequested);

                if (deleted > 0)
                {
                    LogDeleted(deleted);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next hour tries again; nothing depends on a sweep but the table's size.
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} notifications past their keeping")]
    private partial void LogDeleted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired notifications failed")]
    private partial void LogFailed(Exception exception);
}
