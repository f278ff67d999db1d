namespace Cryb.Tests.Infrastructure;

/// <summary>
/// Polls for something that happens asynchronously elsewhere, with a timeout that names it. Only for
/// what raises nothing a test can wait on: a figure scraped from another process's <c>/metrics</c>,
/// a row a grain writes, a line in another process's log. Where there is an event (a client's
/// handler, a stream, a meter's callback), wait for that instead; where time is the subject, move
/// a fake clock (<see cref="FakeClockClusterFixture"/>).
/// </summary>
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
