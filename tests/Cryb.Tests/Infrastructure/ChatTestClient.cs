using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Cryb.Channels;
using Cryb.Errors;
using Cryb.Gateway.Hubs;
using Cryb.Guilds;
using Cryb.Messages;
using Cryb.Presence;
using Cryb.Users;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A user on the official .NET SignalR client. Every protocol event is recorded in arrival order
/// per event name, so a test can await the next one or assert that none came.
/// </summary>
public sealed class ChatTestClient : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Channel<object>> _events = new();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChatTestClient(HubConnection connection, string userId)
    {
        Connection = connection;
        UserId = userId;
        Record<ReadyEvent>("Ready");
        Record<ChatMessage>("MessageCreated");
        Record<ChatMessage>("MessageEdited");
        Record<MessageDeleted>("MessageDeleted");
        Record<ReactionsUpdated>("ReactionsUpdated");
        Record<MemberJoined>("MemberJoined");
        Record<MemberLeft>("MemberLeft");
        Record<MemberRoleChanged>("MemberRoleChanged");
        Record<ChannelInfo>("ChannelUpdated");
        Record<ChannelDeleted>("ChannelDeleted");
        Record<ChannelInfo>("ChannelAdded");
        Record<ChannelRemoved>("ChannelRemoved");
        Record<ReadStateUpdated>("ReadStateUpdated");
        Record<Cryb.Notifications.Notification>("NotificationCreated");
        Record<Cryb.Notifications.NotificationsAcked>("NotificationsAcked");
        // A batch of changes in one frame: read one change at a time, as if each had come alone;
        // the frames themselves, with when they came, under PresenceFrames.
        Connection.On<PresenceInfo[]>("PresenceUpdated", presences =>
        {
            Events(PresenceFrames).Writer.TryWrite(new PresenceFrame(DateTime.UtcNow, presences));
            Array.ForEach(presences, presence => Events("PresenceUpdated").Writer.TryWrite(presence));
        });
        Record<TypingUpdated>("TypingUpdated");
        Record<AccountClosed>("AccountClosed");
        Record<GuildState>("GuildCreated");
        Record<GuildRemoved>("GuildRemoved");
        Record<Guilds.GuildUpdated>("GuildUpdated");
        Record<Guilds.GuildDeleted>("GuildDeleted");
        Record<GuildMemberAdded>("GuildMemberAdded");
        Record<GuildMembersImported>("GuildMembersImported");
        Record<GuildMemberUpdated>("GuildMemberUpdated");
        Record<GuildMemberRemoved>("GuildMemberRemoved");
        Record<GuildRoleCreated>("GuildRoleCreated");
        Record<GuildRoleUpdated>("GuildRoleUpdated");
        Record<GuildRoleDeleted>("GuildRoleDeleted");
        Record<GuildChannelCreated>("GuildChannelCreated");
        Record<GuildChannelUpdated>("GuildChannelUpdated");
        Record<GuildChannelDeleted>("GuildChannelDeleted");
        Record<GuildChannelVisible>("GuildChannelVisible");
        Record<GuildMembersChunk>("GuildMembersChunk");
        Record<Cryb.Voice.VoiceState>("VoiceStateUpdated");
        // The gateway sends a window's voice states in one frame: read one state at a time, under
        // VoiceStateUpdated, as if each had come alone.
        Connection.On<Cryb.Voice.VoiceState[]>("VoiceStatesUpdated", states =>
            Array.ForEach(states, state => Events("VoiceStateUpdated").Writer.TryWrite(state)));
        Record<Cryb.Voice.VoiceSessionEnded>("VoiceSessionEnded");
        Record<Cryb.Relationships.Relationship>("RelationshipAdded");
        Record<Cryb.Relationships.Relationship>("RelationshipUpdated");
        Record<RelationshipGoneEvent>("RelationshipRemoved");
        Record<Cryb.Relationships.Invitation>("InvitationReceived");
        Record<InvitationGoneEvent>("InvitationRemoved");
        Record<Cryb.Voice.VoiceServerUpdate>("VoiceServerUpdate");
        connection.Closed += error =>
        {
            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    /// <summary>Completes when the connection closes, with the server's error if it gave one.</summary>
    public Task<Exception?> Closed => _closed.Task;

    /// <summary>The name under which <c>PresenceUpdated</c> frames are kept whole, as <see cref="PresenceFrame"/>s.</summary>
    public const string PresenceFrames = "PresenceUpdated frames";

    public HubConnection Connection { get; }
    public string UserId { get; }

    /// <summary>
    /// Connects with the JSON protocol, or with MessagePack when <paramref name="messagePack"/> is set;
    /// as a <paramref name="device"/> (<c>web</c>, <c>mobile</c>, <c>desktop</c>) when given, else as the
    /// .NET client's user agent makes it (desktop); <paramref name="query"/> adds connect parameters
    /// (<c>guilds=resume</c>).
    /// </summary>
    public static async Task<ChatTestClient> ConnectAsync(
        string gatewayUrl, string token, string userId, bool messagePack = false, string? device = null, TimeSpan? serverTimeout = null, string? query = null)
    {
        string[] parameters = [.. device is null ? [] : new[] { $"device={device}" }, .. query is null ? [] : new[] { query }];
        var url = parameters.Length == 0 ? $"{gatewayUrl}/hubs/chat" : $"{gatewayUrl}/hubs/chat?{string.Join('&', parameters)}";
        var builder = new HubConnectionBuilder()
            .WithUrl(url, options => options.AccessTokenProvider = () => Task.FromResult<string?>(token));
        var connection = (messagePack
                ? builder.AddMessagePackProtocol()
                : builder.AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase))))
            .Build();
        if (serverTimeout is { } timeout)
        {
            connection.ServerTimeout = timeout;
        }

        var client = new ChatTestClient(connection, userId);
        await connection.StartAsync();
        // Connected means Ready came (it is left for the test to read): only then are the
        // connection's subscriptions live, as a real client must also wait for. A connection the
        // server closes instead is returned as it is.
        await Task.WhenAny(client.Events("Ready").Reader.WaitToReadAsync().AsTask(), client.Closed)
            .WaitAsync(TimeSpan.FromSeconds(30));
        return client;
    }

    public Task<ChannelInfo> CreateChannelAsync(string name, bool isPrivate = false) =>
        Connection.InvokeAsync<ChannelInfo>("CreateChannel", name, isPrivate);

    public Task<JoinResult> JoinChannelAsync(string channelId, long? sinceSeq = null) =>
        Connection.InvokeAsync<JoinResult>("JoinChannel", channelId, sinceSeq);

    public Task<ChatMessage> SendMessageAsync(string channelId, string content, string? nonce = null, string? replyToId = null) =>
        Connection.InvokeAsync<ChatMessage>("SendMessage", channelId, content, nonce, replyToId);

    /// <summary>
    /// A send retried with its nonce while it is refused with <c>unavailable</c> or
    /// <c>storage_unavailable</c>, as clients are told to: stored once, whatever the retries.
    /// </summary>
    public async Task<ChatMessage> SendUntilAcknowledgedAsync(string channelId, string content, string nonce, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                return await SendMessageAsync(channelId, content, nonce);
            }
            catch (HubException refusal) when (Refusals.CodeOf(refusal) is ErrorCodes.Unavailable or ErrorCodes.StorageUnavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    public Task<ChatMessage[]> GetHistoryAsync(string channelId, long? beforeSeq = null, int limit = 100) =>
        Connection.InvokeAsync<ChatMessage[]>("GetHistory", channelId, beforeSeq, limit);

    /// <summary>Invokes any hub method, for the ones without a helper.</summary>
    public Task<T> InvokeAsync<T>(string method, params object?[] arguments) =>
        Connection.InvokeCoreAsync<T>(method, arguments);

    public Task InvokeAsync(string method, params object?[] arguments) =>
        Connection.InvokeCoreAsync(method, arguments);

    /// <summary>The next <c>MessageCreated</c> event.</summary>
    public Task<ChatMessage> NextMessageCreatedAsync(TimeSpan? timeout = null) => NextAsync<ChatMessage>("MessageCreated", timeout);

    /// <summary>The next event called <paramref name="name"/>, or a timeout naming it.</summary>
    public async Task<T> NextAsync<T>(string name, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return (T)await Events(name).Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{UserId}: no {name} event arrived in time.");
        }
    }

    /// <summary>True when no event called <paramref name="name"/> is waiting.</summary>
    public bool HasNo(string name) => !Events(name).Reader.TryPeek(out _);

    /// <summary>Takes every event called <paramref name="name"/> that has arrived so far.</summary>
    public IReadOnlyList<T> TakePending<T>(string name)
    {
        var pending = new List<T>();
        while (Events(name).Reader.TryRead(out var payload))
        {
            pending.Add((T)payload);
        }

        return pending;
    }

    /// <summary>True when no <c>MessageCreated</c> event is waiting.</summary>
    public bool HasNoPendingMessages => HasNo("MessageCreated");

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();

    private void Record<T>(string name) => Connection.On<T>(name, payload => Events(name).Writer.TryWrite(payload!));

    private Channel<object> Events(string name) => _events.GetOrAdd(name, _ => Channel.CreateUnbounded<object>());
}

/// <summary>One <c>PresenceUpdated</c> frame, and when this client read it.</summary>
public sealed record PresenceFrame(DateTime ReceivedAt, PresenceInfo[] Presences);

/// <summary>The <c>Ready</c> event as a client reads it.</summary>
public sealed record ReadyEvent(ReadyUserEvent User, PresenceInfo Presence, ChannelSummary[] Channels, GuildState[]? Guilds = null, GuildVersion[]? GuildVersions = null)
{
    public Cryb.Relationships.Relationship[] Relationships { get; init; } = [];

    public PresenceInfo[] FriendPresences { get; init; } = [];

    public Cryb.Relationships.Invitation[] Invitations { get; init; } = [];

    public Cryb.Notifications.NotificationSummary Notifications { get; init; } = Cryb.Notifications.NotificationSummary.Empty;
}

/// <summary>The <c>InvitationRemoved</c> payload.</summary>
public sealed record InvitationGoneEvent(string ChannelId, string Reason);

/// <summary>The <c>RelationshipRemoved</c> payload.</summary>
public sealed record RelationshipGoneEvent(string UserId, long Version);

public sealed record ReadyUserEvent(string Id, string DisplayName);
