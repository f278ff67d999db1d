namespace Cryb.Tests.Infrastructure;

/// <summary>Waits on an event's task whose timeout says which event never came.</summary>
public static class NamedWaits
{
    public static async Task<T> WithinAsync<T>(this Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException timedOut)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:F0} s for {what}.", timedOut);
        }
    }

    public static async Task WithinAsync(this Task task, TimeSpan timeout, string what)
    {
        try
        {
            await task.WaitAsync(timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException timedOut)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:F0} s for {what}.", timedOut);
        }
    }
}
