namespace Cryb.Hosting;

/// <summary>
/// How long a grain call may take before its caller gives up (Orleans' <c>ResponseTimeout</c>), on
/// silos and gateways alike. A caller that gives up cannot know whether the call took effect, so
/// every wait inside a call is kept well below it: PostgreSQL's (see the silo's
/// <c>PostgresTimeouts</c>) ends first and the call is refused with a clear code instead.
/// </summary>
public static class GrainCalls
{
    /// <summary>Orleans' default, set explicitly so the storage timeouts can be checked against it.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
}
