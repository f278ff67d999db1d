using System.Collections;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// Items that several of a test's tasks append, and waits for the moment they meet a condition:
/// checked at each append, the event that can change the answer, not on a timer.
/// </summary>
public sealed class ObservedQueue<T> : IEnumerable<T>
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = [];
    private readonly List<(Func<IReadOnlyList<T>, bool> Condition, TaskCompletionSource Met)> _waits = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public void Enqueue(T item)
    {
        lock (_lock)
        {
            _items.Add(item);
            foreach (var wait in _waits.Where(wait => wait.Condition(_items)).ToArray())
            {
                wait.Met.TrySetResult();
                _waits.Remove(wait);
            }
        }
    }

    /// <summary>Returns once the items meet <paramref name="condition"/>, or throws a timeout naming <paramref name="what"/>.</summary>
    public Task WaitUntilAsync(Func<IReadOnlyList<T>, bool> condition, string what, TimeSpan? timeout = null)
    {
        var met = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (condition(_items))
            {
                return Task.CompletedTask;
            }

            _waits.Add((condition, met));
        }

        return met.Task.WithinAsync(timeout ?? TimeSpan.FromSeconds(15), what);
    }

    public IEnumerator<T> GetEnumerator()
    {
        lock (_lock)
        {
            return _items.ToList().GetEnumerator();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
