namespace Cryb.Grains.Telemetry;

/// <summary>
/// Starts work in an execution context a caller captured earlier: a write made on behalf of many
/// callers is traced as part of the first one's call, not of whichever call started the writer
/// long ago (or of none).
/// </summary>
internal static class CapturedContext
{
    /// <summary>Starts <paramref name="work"/> in <paramref name="context"/>, or in the current one if none was captured.</summary>
    public static Task Run(ExecutionContext? context, Func<Task> work)
    {
        if (context is null)
        {
            return work();
        }

        var started = Task.CompletedTask;
        ExecutionContext.Run(context, _ => started = work(), null);
        return started;
    }
}
