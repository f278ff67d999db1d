using Cryb.Messages;

namespace Cryb.Grains.Messages;

/// <summary>A channel's append waiting in the <see cref="MessageWriter"/> for the silo's next transaction.</summary>
internal sealed class PendingAppend(ChannelAppend append)
{
    // Continuations run on the channel grain's scheduler after the commit, never inside the writer.
    private readonly TaskCompletionSource<StoredAppend> _stored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChannelAppend Append { get; } = append;

    /// <summary>The channel grain's execution context (the leading send's trace), so a transaction it leads is written in it.</summary>
    public ExecutionContext? Context { get; } = ExecutionContext.Capture();

    public Task<StoredAppend> Stored => _stored.Task;

    /// <summary>The messages stored, with their seqs, and their notifications: committed.</summary>
    public void Complete(StoredAppend stored) => _stored.TrySetResult(stored);

    /// <summary>Nothing of this channel was stored.</summary>
    public void Fail(Exception failure) => _stored.TrySetException(failure);
}
