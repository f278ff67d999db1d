namespace Cryb.Chaos.Faults;

/// <summary>
/// One scenario of the suite: what it does to the cluster while the checker's load runs. The
/// injection is the "during" phase: it returns once the fault is over (a process restarted, a
/// server back), or for a fault left in place, once the cluster had time to notice it.
/// </summary>
/// <param name="Name">As given to <c>--scenario</c>.</param>
/// <param name="Description">One line for the table and docs/reliability.md.</param>
/// <param name="InShortSuite">Part of <c>--short</c> (the run in <c>./cryb test</c>).</param>
/// <param name="SendsAgainWithinSeconds">
/// The failover target, where the fault has one: every channel must acknowledge a send made after
/// the fault began within this many seconds, or the scenario fails.
/// </param>
public sealed record Fault(string Name, string Description, bool InShortSuite, Func<FaultContext, Task> InjectAsync, double? SendsAgainWithinSeconds = null);
