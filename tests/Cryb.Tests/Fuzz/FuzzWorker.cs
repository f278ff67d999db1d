using Cryb.Errors;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Cryb.Tests.Fuzz;

/// <summary>
/// One user's connection under fuzz, in one protocol: handshake done right, then the factory's
/// frames. Frames go out in batches, each followed by a barrier call whose answer proves the
/// gateway read the whole batch, so a frame that should be answered and was not is caught, and a
/// frame that may close the connection goes alone. A closed connection is opened again.
/// </summary>
public sealed class FuzzWorker(string gatewayUrl, string token, IFuzzProtocol protocol, FrameFactory frames, FuzzTally tally)
{
    /// <summary>Frames between barriers: enough to keep the socket busy, few enough that a lost answer is found quickly.</summary>
    private const int BatchSize = 24;

    /// <summary>Far above any answer's time on a loaded two-core machine; only a gateway that stopped reading meets it.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    private FuzzConnection? _connection;

    public async Task RunAsync(int frameCount)
    {
        var batch = new List<FuzzFrame>(BatchSize);
        for (var i = 0; i < frameCount; i++)
        {
            var frame = frames.Next();
            if (frame.MayClose)
            {
                await SendBatchAsync(batch);
                await SendBatchAsync([frame]);
            }
            else
            {
                batch.Add(frame);
                if (batch.Count == BatchSize)
                {
                    await SendBatchAsync(batch);
                }
            }
        }

        await SendBatchAsync(batch);
    }

    /// <summary>Closes the connection from this side, as a client going away.</summary>
    public async Task CloseAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private async Task SendBatchAsync(List<FuzzFrame> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var connection = await ConnectedAsync();
        foreach (var frame in batch)
        {
            await connection.SendAsync(frame.Bytes, frame.MessageType);
        }

        var (barrier, barrierId) = frames.Barrier();
        await connection.SendAsync(barrier, protocol.MessageType);
        var answers = await AnswersUntilAsync(connection, barrierId, $"the {protocol.Name} barrier {barrierId} after {string.Join(", ", batch.Select(frame => $"{frame.Class}/{frame.Variant}"))}");
        foreach (var frame in batch)
        {
            var outcome = frame.InvocationId is { } id && answers.Remove(id, out var answer)
                ? answer
                : connection.IsClosed ? FuzzOutcomes.Closed : FuzzOutcomes.NoReply;
            tally.Record(protocol.Name, frame, outcome);
        }

        foreach (var (id, answer) in answers)
        {
            tally.Fail($"{protocol.Name}: an answer ({answer}) to {id}, which no frame of the batch asked for");
        }

        if (connection.IsClosed)
        {
            await CloseAsync();
        }

        batch.Clear();
    }

    /// <summary>Every completion until the barrier's, by invocation id; stops early if the connection closes.</summary>
    private async Task<Dictionary<string, string>> AnswersUntilAsync(FuzzConnection connection, string barrierId, string what)
    {
        var answers = new Dictionary<string, string>();
        using var deadline = new CancellationTokenSource(AnswerTimeout);
        while (await connection.ReceiveAsync(deadline.Token, what) is { } message)
        {
            if (message is not CompletionMessage completion)
            {
                continue; // events, Ready, pings: not answers
            }

            var outcome = completion.Error is null ? FuzzOutcomes.Result : FuzzOutcomes.OfError(completion.Error);
            if (completion.InvocationId == barrierId)
            {
                tally.Barrier();
                if (outcome != FuzzOutcomes.Result)
                {
                    tally.Fail($"{protocol.Name}: the barrier call was refused: {completion.Error}");
                }

                break;
            }

            if (!answers.TryAdd(completion.InvocationId!, completion.Error is null ? outcome : outcome == FuzzOutcomes.Unstable ? $"{outcome}: {completion.Error}" : outcome))
            {
                tally.Fail($"{protocol.Name}: two answers to {completion.InvocationId}");
            }
        }

        return answers;
    }

    /// <summary>The open connection, or a new one once its Ready came.</summary>
    private async Task<FuzzConnection> ConnectedAsync()
    {
        if (_connection is { IsClosed: false })
        {
            return _connection;
        }

        await CloseAsync();
        for (var attempt = 1; ; attempt++)
        {
            var connection = await FuzzConnection.OpenAsync(gatewayUrl, token, protocol.Reader);
            if (!await connection.HandshakeAsync(FuzzConnection.Handshake(protocol.Name), System.Net.WebSockets.WebSocketMessageType.Text, AnswerTimeout))
            {
                await connection.DisposeAsync();
                throw new InvalidOperationException($"A correct {protocol.Name} handshake was refused: {connection.CloseError}");
            }

            using var deadline = new CancellationTokenSource(AnswerTimeout);
            while (await connection.ReceiveAsync(deadline.Token, "Ready") is { } message)
            {
                if (message is InvocationBindingFailureMessage { Target: "Ready" })
                {
                    tally.Connected();
                    _connection = connection;
                    return connection;
                }
            }

            await connection.DisposeAsync();
            // The connections this user's closed ones held are let go a moment after they close;
            // opening the next one first can meet the per-user limit of five. Anything else is a failure.
            if (connection.CloseError?.Contains(ErrorCodes.TooManyConnections, StringComparison.Ordinal) != true || attempt == 50)
            {
                throw new InvalidOperationException($"The gateway closed a fresh {protocol.Name} connection before Ready: {connection.CloseError}");
            }

            tally.ConnectRetried();
            await Task.Delay(100);
        }
    }
}
