using System.Collections.Concurrent;
using Cryb.Bench.Measurement;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cryb.Bench.Load.Guilds;

/// <summary>
/// One user's connection for the server (guild) methods, on the official .NET SignalR client with
/// the JSON protocol, as a client app would call them: the lean client reads only what message
/// scenarios need, and these calls are few (the member list's chunks are the volume, and reading
/// them through the official client is what a .NET app would pay too). Payloads are read into
/// small records holding only the fields the scenario checks.
/// </summary>
public sealed class GuildClient : IAsyncDisposable
{
    private readonly ReadyHubConnection _connection;
    private readonly ConcurrentDictionary<string, Listing> _listings = new(StringComparer.Ordinal);

    public GuildClient(string gatewayUrl, string userId, string token)
    {
        UserId = userId;
        _connection = new ReadyHubConnection(gatewayUrl, token);
        // The hub closes a connection it hears nothing from for 30 s; the list and the joins are
        // well inside that, and the client's own keep-alive (15 s) covers the waits between them.
        _connection.Hub.On<MembersChunk>("GuildMembersChunk", OnChunk);
    }

    public string UserId { get; }

    /// <summary>
    /// Hears every <c>VoiceStateUpdated</c> this connection receives (one at a time or a window's <c>VoiceStatesUpdated</c>), with its arrival time on
    /// <see cref="BenchClock"/>, on the connection's receive loop (one at a time, in the order
    /// sent). Set before <see cref="ConnectAsync"/>; a connection without it reads no payload of
    /// those events (the client finds no handler and skips them).
    /// </summary>
    public void OnVoiceState(Action<VoiceStateSeen, long> handler)
    {
        _connection.Hub.On<VoiceStateSeen>("VoiceStateUpdated", state => handler(state, BenchClock.NowMicros));
        // A window's states in one frame: each state as if it came alone, all with the frame's arrival.
        _connection.Hub.On<VoiceStateSeen[]>("VoiceStatesUpdated", states =>
        {
            var now = BenchClock.NowMicros;
            foreach (var state in states)
            {
                handler(state, now);
            }
        });
    }

    public Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation) => _connection.ConnectAsync(timeout, cancellation);

    /// <summary><c>CreateGuild(name)</c>: the new server's id.</summary>
    public async Task<string> CreateGuildAsync(string name, CancellationToken cancellation) =>
        (await _connection.Hub.InvokeAsync<GuildAnswer>("CreateGuild", name, cancellation)).Guild.Id;

    /// <summary><c>CreateInvite(guildId, 0, 0)</c>: a code without a use or age limit.</summary>
    public async Task<string> CreateInviteAsync(string guildId, CancellationToken cancellation) =>
        (await _connection.Hub.InvokeAsync<InviteAnswer>("CreateInvite", guildId, 0, 0, cancellation)).Code;

    /// <summary><c>JoinGuild(code)</c>: the member count the answer's server says it has.</summary>
    public async Task<int> JoinGuildAsync(string code, CancellationToken cancellation) =>
        (await _connection.Hub.InvokeAsync<GuildAnswer>("JoinGuild", code, cancellation)).Guild.MemberCount;

    /// <summary><c>CreateGuildChannel(guildId, { name, type: voice })</c>: the new voice channel's id.</summary>
    public async Task<string> CreateVoiceChannelAsync(string guildId, string name, CancellationToken cancellation) =>
        (await _connection.Hub.InvokeAsync<ChannelAnswer>("CreateGuildChannel", guildId, new { name, type = "voice" }, cancellation)).Id;

    /// <summary><c>JoinVoice(channelId, selfMute, false)</c>: the state as published.</summary>
    public async Task<VoiceStateSeen> JoinVoiceAsync(string channelId, bool selfMute, CancellationToken cancellation) =>
        (await _connection.Hub.InvokeAsync<VoiceJoinAnswer>("JoinVoice", channelId, selfMute, false, cancellation)).State;

    /// <summary><c>LeaveVoice()</c>.</summary>
    public Task LeaveVoiceAsync(CancellationToken cancellation) => _connection.Hub.InvokeAsync("LeaveVoice", cancellation);

    /// <summary><c>UpdateVoiceState(selfMute, false, false, false)</c>: the state as published.</summary>
    public Task<VoiceStateSeen> UpdateVoiceStateAsync(bool selfMute, CancellationToken cancellation) =>
        _connection.Hub.InvokeAsync<VoiceStateSeen>("UpdateVoiceState", selfMute, false, false, false, cancellation);

    /// <summary>
    /// <c>RequestGuildMembers(guildId, null, null, 0, false, nonce)</c>, the whole list: completes
    /// with the tally and the time from the call to the last chunk once that chunk arrived.
    /// </summary>
    public async Task<(MemberListTally Tally, long Micros)> RequestFullListAsync(string guildId, string nonce, TimeSpan timeout, CancellationToken cancellation)
    {
        var listing = new Listing();
        _listings[nonce] = listing;
        try
        {
            var started = BenchClock.NowMicros;
            // The call completes once the hub has sent every chunk (it awaits each one's send).
            await _connection.Hub.InvokeAsync("RequestGuildMembers", guildId, (string?)null, (string[]?)null, 0, false, nonce, cancellation);
            var finished = await listing.Done.Task.WaitAsync(timeout, cancellation);
            return (listing.Tally, finished - started);
        }
        finally
        {
            _listings.TryRemove(nonce, out _);
        }
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    /// <summary>On the connection's receive loop, one event at a time, in the order sent.</summary>
    private void OnChunk(MembersChunk chunk)
    {
        var arrived = BenchClock.NowMicros;
        if (chunk.Nonce is not { } nonce || !_listings.TryGetValue(nonce, out var listing))
        {
            return;
        }

        if (listing.Tally.Add(chunk.ChunkIndex, chunk.ChunkCount, [.. chunk.Members.Select(member => member.UserId)]))
        {
            listing.Done.TrySetResult(arrived);
        }
    }

    private sealed class Listing
    {
        public MemberListTally Tally { get; } = new();

        /// <summary>The arrival time of the last chunk.</summary>
        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record GuildAnswer(GuildSummary Guild);

    private sealed record GuildSummary(string Id, int MemberCount);

    private sealed record InviteAnswer(string Code);

    private sealed record ChannelAnswer(string Id);

    private sealed record VoiceJoinAnswer(VoiceStateSeen State);

    private sealed record MembersChunk(string GuildId, IReadOnlyList<MemberRef> Members, int ChunkIndex, int ChunkCount, string? Nonce);

    private sealed record MemberRef(string UserId);
}

/// <summary>The fields of a <c>VoiceState</c> the <c>voice</c> scenario checks; the rest of the payload is skipped.</summary>
public sealed record VoiceStateSeen(string GuildId, string? ChannelId, string UserId, bool SelfMute, long Version);
