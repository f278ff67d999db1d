using System.Runtime.ExceptionServices;
using Cryb.Errors;
using Microsoft.Extensions.Logging;

namespace Cryb.Grains;

/// <summary>Grain state writes that leave no activation ahead of storage.</summary>
public static class StateWrites
{
    /// <summary>
    /// Writes the state; if the write fails, deactivates the grain, whose in-memory state may now be
    /// ahead of storage (the next call reloads the truth), and lets the failure through as it is:
    /// the storage decorator has already made a storage failure <c>storage_unavailable</c>, and
    /// anything else is a bug that must be reported as one.
    /// </summary>
    public static async Task WriteOrDeactivateAsync<T>(this IPersistentState<T> state, Grain grain, ILogger logger)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Orleans has logged the failure with its stack; this says what became of the activation.
            logger.LogWarning("Writing the state of {GrainId} failed ({Failure}); deactivating it", grain.GetGrainId(), ex.GetType().Name);
            grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "state write failed"));
            // Orleans wraps whatever the storage threw; the decorator's refusal goes on as itself,
            // as a caller (a gateway or a backend service) expects a refusal to arrive.
            if (ex is OrleansException { InnerException: ChatException refusal })
            {
                ExceptionDispatchInfo.Throw(refusal);
            }

            throw;
        }
    }
}
