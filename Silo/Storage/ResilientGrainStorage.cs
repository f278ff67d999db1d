using Cryb.Grains.Storage;
using Orleans.Storage;

namespace Cryb.Silo.Storage;

/// <summary>
/// Orleans' ADO.NET grain storage through the silo's <see cref="StorageGuard"/>, as the message
/// store: a state read that met a connection PostgreSQL had already closed runs once more, a write
/// only when the failure proves it took no effect, and a storage failure that remains is refused as
/// <c>storage_unavailable</c>. Without it, the first activation after PostgreSQL restarts fails on
/// a dead pooled connection, and the failure, carrying Npgsql's exception, reaches the caller as an
/// unreadable error.
/// </summary>
public sealed class ResilientGrainStorage(IGrainStorage inner, StorageGuard guard)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        guard.ReadAsync(() => inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken), grainId);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        guard.WriteAsync(() => inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken), grainId);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        guard.WriteAsync(() => inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken), grainId);

    /// <summary>The ADO.NET provider reads its queries from the database at silo start.</summary>
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}
