using Cryb.Errors;
using Microsoft.Extensions.Logging;

namespace Cryb.Grains;

/// <summary>Grain state writes that fail as a refusal the client understands.</summary>
public static class StateWrites
{
    /// <summary>
    /// Writes the state; if storage fails, refuses with <c>storage_unavailable</c> and deactivates
    /// the grain, whose in-memory state may now be ahead of storage: the next call reloads the truth.
    /// </summary>
    public static async Task WriteOrRefuseAsync<T>(this IPersistentState<T> state, Grain grain, ILogger logger)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Writing the state of {GrainId} failed", grain.GetGrainId());
            grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "state write failed"));
            // Storage exceptions (PostgresException) have no Orleans codec: never let them cross the wire.
            throw new ChatException(ErrorCodes.StorageUnavailable, "The change could not be stored; retry.");
        }
    }
}
