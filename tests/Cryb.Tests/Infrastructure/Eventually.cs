namespace Cryb.Tests.Infrastructure;

/// <summary>Polls for something that happens asynchronously elsewhere (a write, a scrape), with a timeout that names it.</summary>
public static class Eventually
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {limit.TotalSeconds:F0} s for {what}.");
            }

            await Task.Delay(100);
        }
    }
}
