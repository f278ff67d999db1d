using Cryb.Grains.Storage;

namespace Cryb.Grains.Voice;

/// <summary>What a queued voice call asks for.</summary>
internal enum VoiceCallKind
{
    Join,
    UpdateSelf,
    Leave,
    EndSession,
}

/// <summary>
/// A user's voice call the grain accepted and queued for the next batch (a <see cref="GroupCommitQueue{T}"/>, one call per user per batch):
/// checked for what does not depend on the server's state, waiting for its batch to decide and
/// commit it. The answer is a <see cref="Cryb.Voice.VoiceJoin"/> for a join, the
/// <see cref="Cryb.Voice.VoiceState"/> for an update, nothing for a leave or an end.
/// </summary>
internal sealed class VoiceCall : IQueuedWork
{
    // Continuations run on the grain's scheduler after the batch is done, never inside the writer.
    private readonly TaskCompletionSource<object?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private VoiceCall(VoiceCallKind kind, string userId) => (Kind, UserId) = (kind, userId);

    public static VoiceCall Join(string userId, string connectionId, string channelId, bool selfMute, bool selfDeaf) =>
        new(VoiceCallKind.Join, userId) { ConnectionId = connectionId, ChannelId = channelId, SelfMute = selfMute, SelfDeaf = selfDeaf };

    public static VoiceCall UpdateSelf(string userId, bool selfMute, bool selfDeaf, bool selfVideo, bool selfStream) =>
        new(VoiceCallKind.UpdateSelf, userId) { SelfMute = selfMute, SelfDeaf = selfDeaf, SelfVideo = selfVideo, SelfStream = selfStream };

    public static VoiceCall Leave(string userId) => new(VoiceCallKind.Leave, userId) { Reason = Cryb.Voice.VoiceEndReasons.Left };

    /// <summary>Ends the user's session if it is still <paramref name="sessionId"/>; nothing otherwise.</summary>
    public static VoiceCall EndSession(string userId, string sessionId, string reason) =>
        new(VoiceCallKind.EndSession, userId) { SessionId = sessionId, Reason = reason };

    public VoiceCallKind Kind { get; }
    public string UserId { get; }
    public string? ConnectionId { get; private init; }
    public string? ChannelId { get; private init; }
    public string? SessionId { get; private init; }
    public string? Reason { get; private init; }
    public bool SelfMute { get; private init; }
    public bool SelfDeaf { get; private init; }
    public bool SelfVideo { get; private init; }
    public bool SelfStream { get; private init; }

    /// <summary>The caller's execution context (its trace), so the batch it leads is written in it.</summary>
    public ExecutionContext? Context { get; } = ExecutionContext.Capture();

    public Task<object?> Answer => _answer.Task;

    public bool Answered => _answer.Task.IsCompleted;

    public void Succeed(object? result) => _answer.TrySetResult(result);

    /// <summary>Refuses the call; a call already answered keeps its answer.</summary>
    public void Refuse(Exception refusal) => _answer.TrySetException(refusal);
}
