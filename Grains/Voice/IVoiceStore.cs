using Cryb.Voice;

namespace Cryb.Grains.Voice;

/// <summary>
/// Voice states in PostgreSQL (the <c>voice_states</c> table): one row per user in voice, written
/// only by the voice grain of the row's server.
/// </summary>
public interface IVoiceStore
{
    /// <summary>The server's voice states.</summary>
    Task<IReadOnlyList<StoredVoiceState>> ListAsync(string guildId);

    /// <summary>Writes the user's row (the user's one session, whatever server held it before).</summary>
    Task UpsertAsync(StoredVoiceState row);

    /// <summary>Deletes the user's row if it is still this server's session <paramref name="sessionId"/>; false if it was not.</summary>
    Task<bool> DeleteAsync(string guildId, string userId, string sessionId);

    /// <summary>
    /// A batch of the server's changes in one statement and one commit: the rows of
    /// <paramref name="rows"/> written as <see cref="UpsertAsync"/> writes one, and the rows of
    /// <paramref name="ends"/> deleted as <see cref="DeleteAsync"/> deletes one (only while still
    /// that session of this server). A user appears at most once in the batch.
    /// </summary>
    Task WriteAsync(string guildId, IReadOnlyList<StoredVoiceState> rows, IReadOnlyList<VoiceSessionRef> ends);
}

/// <summary>A user's voice session, as a batch names the rows it deletes.</summary>
public sealed record VoiceSessionRef(string UserId, string SessionId);

/// <summary>A voice state as stored: the state and the connection that holds its session.</summary>
public sealed record StoredVoiceState(VoiceState State, string ConnectionId, DateTimeOffset UpdatedAt);
