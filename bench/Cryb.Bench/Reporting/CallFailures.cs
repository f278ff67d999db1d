namespace Cryb.Bench.Reporting;

/// <summary>
/// What an open-model scenario of calls (<c>friends</c>' presence changes, <c>voice</c>'s calls)
/// counts against itself before its own checks: nothing measured succeeded, calls failed, went
/// unanswered past the drain, or never started because their caller still waited on its last one.
/// </summary>
public static class CallFailures
{
    /// <param name="calls">The calls in the plural, as the failures name them ("SetPresence calls").</param>
    /// <param name="measured">What had to succeed at least once, as "no measured … succeeded" names it.</param>
    /// <param name="waiter">Who waited when a call could not start ("the next user", "every actor").</param>
    public static List<string> Of(
        string calls, string measured, string waiter, long succeeded, IReadOnlyDictionary<string, long> errors, long unanswered, long notStarted)
    {
        var failures = new List<string>();
        if (succeeded == 0)
        {
            failures.Add($"no measured {measured} succeeded");
        }

        if (errors.Count > 0)
        {
            failures.Add($"{errors.Values.Sum()} {calls} failed ({string.Join(", ", errors.Select(pair => $"{pair.Key} {pair.Value}"))})");
        }

        if (unanswered > 0)
        {
            failures.Add($"{unanswered} {calls} unanswered after the drain");
        }

        if (notStarted > 0)
        {
            failures.Add($"{notStarted} {calls} not started: {waiter} still waited on its last one");
        }

        return failures;
    }
}
