using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Load;

/// <summary>
/// The engine of the message scenarios (fanout, ramp, hot-channel, soak): connects a
/// <see cref="LoadShape"/>, then runs steps of open-model load on it. Each send has an intended
/// time <c>start + g / (senders × rate)</c> (sender <c>g mod senders</c>) and is fired at that
/// time whether or not earlier sends were answered, and latency counts from the intended time:
/// a server that stalls cannot slow the generator down and hide the stall (coordinated omission).
/// </summary>
public sealed class MessageLoad : IDeliverySink, IAsyncDisposable
{
    /// <summary>Lead time before a step's first send, so it is not already late.</summary>
    private const long StartLeadMicros = 50_000;

    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(100);

    private readonly BenchContext _context;
    private readonly LoadShape _shape;
    private readonly string _padding;
    private readonly ClientFleet _fleet;
    private readonly DeliveryChecker _checker = new();
    private readonly long[] _sentBySender;
    private BenchClient[] _clients = [];
    private string[] _channelIds = [];
    private volatile StepRecorder? _current;
    private long _inFlight;
    private int _drops;
    private int _steps;

    private MessageLoad(BenchContext context, LoadShape shape, int padding)
    {
        _context = context;
        _shape = shape;
        _padding = MessageStamp.Padding(padding);
        _fleet = new ClientFleet(context);
        _sentBySender = new long[shape.Senders];
    }

    public LoadShape Shape => _shape;

    /// <summary>Sets up <paramref name="shape"/>, runs one step on it, and reports it as scenario <paramref name="scenario"/>.</summary>
    public static async Task<MessageLoadResult> RunOneStepAsync(
        BenchContext context, string scenario, object options, LoadShape shape, double rate, TimeSpan warmup, TimeSpan duration, TimeSpan drain, int padding,
        CancellationToken cancellation)
    {
        var started = DateTimeOffset.UtcNow;
        await using var load = await StartAsync(context, shape, padding, cancellation);
        var step = await load.RunStepAsync(rate, warmup, duration, drain, cancellation);
        return new MessageLoadResult(RunInfo.Of(context, scenario, started), options, ShapeSummary.Of(shape, context.Gateways.Count), [step], step.Correctness);
    }

    /// <summary>Connects every client, creates the channels (each by its first member) and joins the rest.</summary>
    public static async Task<MessageLoad> StartAsync(BenchContext context, LoadShape shape, int padding, CancellationToken cancellation)
    {
        var load = new MessageLoad(context, shape, padding);
        try
        {
            await load.SetUpAsync(cancellation);
            return load;
        }
        catch
        {
            await load.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One step: <paramref name="warmup"/> of load that is not recorded, then
    /// <paramref name="duration"/> that is, then up to <paramref name="drain"/> for the last
    /// acknowledgements and deliveries. <paramref name="alongside"/>, when given, runs beside the
    /// sends (until the window's end, which it reads from the recorder) and is awaited before the
    /// drain, so whatever it changed is settled when the drain checks.
    /// </summary>
    public async Task<LoadStepResult> RunStepAsync(
        double perSenderRate, TimeSpan warmup, TimeSpan duration, TimeSpan drain, CancellationToken cancellation,
        Func<StepRecorder, CancellationToken, Task>? alongside = null)
    {
        var step = ++_steps;
        var start = BenchClock.NowMicros + StartLeadMicros;
        var windowStart = start + BenchClock.ToMicros(warmup);
        var recorder = new StepRecorder(windowStart, windowStart + BenchClock.ToMicros(duration));
        _current = recorder;
        _context.Log($"step {step}: {_shape.Senders} senders x {perSenderRate:0.##} msg/s = {_shape.Senders * perSenderRate:0.#} sends/s, warmup {warmup.TotalSeconds:0.#} s, measuring {duration.TotalSeconds:0.#} s");

        var cpu = MeasureCpuAsync(recorder, cancellation);
        var beside = alongside?.Invoke(recorder, cancellation) ?? Task.CompletedTask;
        await SendAsync(recorder, start, perSenderRate, cancellation);
        var cpuReport = await cpu;
        await beside;
        var drained = await DrainAsync(drain, cancellation);

        var correctness = Check();
        var pending = Interlocked.Read(ref _inFlight);
        var seconds = duration.TotalSeconds;
        return new LoadStepResult(
            step,
            perSenderRate,
            _shape.Senders,
            warmup.TotalSeconds,
            seconds,
            _shape.Senders * perSenderRate,
            recorder.Offered,
            recorder.AckedInWindow,
            Math.Round(recorder.AckedInWindow / seconds, 1),
            recorder.DeliveriesInWindow,
            Math.Round(recorder.DeliveriesInWindow / seconds, 1),
            recorder.EndToEnd.Summarize(),
            recorder.Ack.Summarize(),
            recorder.Errors.Snapshot(),
            recorder.FailedSends,
            pending,
            Math.Round(drained.TotalSeconds, 2),
            cpuReport,
            correctness,
            StepVerdict.Failures(correctness, recorder.FailedSends, pending, _context.System.PromisesOrder()))
        {
            ErrorExamples = recorder.Errors.Examples(),
        };
    }

    /// <summary>
    /// Connections the step expects the server to cut (a gateway a storm kills): not counted as
    /// errors, since the scenario reconnects them itself.
    /// </summary>
    public bool ExpectDrops { get; set; }

    /// <summary>
    /// Client <paramref name="client"/> (a receiver: a sender's sends would fail with its
    /// connection) leaves and comes back as a client app does: its connection closes, and after
    /// <paramref name="offline"/> its user connects again to the same gateway and resumes the
    /// channel with <c>JoinChannel(channelId, last seq it had)</c>. The checker then holds the new
    /// connection to every acknowledged seq after that one.
    /// </summary>
    public async Task<ResumeAnswer> ReconnectAsync(int client, TimeSpan offline, CancellationToken cancellation)
    {
        var (departed, since, receiver) = await LeaveAsync(client);
        await Task.Delay(offline, cancellation);
        var fresh = Reopen(client, departed, departed.GatewayUrl, receiver);
        await fresh.ConnectAsync(_context.ConnectTimeout, cancellation);
        return await ResumeAsync(fresh, client, since, receiver, cancellation);
    }

    /// <summary>
    /// Client <paramref name="client"/>, whose connection the server cut, comes back as docs/protocol.md
    /// advises client authors: to <paramref name="gatewayUrl"/>, at once and then after each
    /// failure as <paramref name="delayAfter"/> says (given the failures so far and the wait
    /// a <c>try_again</c> refusal named), then resumes its channel from the last seq it had.
    /// </summary>
    public async Task<Recovery> RecoverAsync(int client, string gatewayUrl, Func<int, TimeSpan?, TimeSpan> delayAfter, CancellationToken cancellation)
    {
        var (departed, since, receiver) = await LeaveAsync(client);
        var refusals = new List<string>();
        while (true)
        {
            var fresh = Reopen(client, departed, gatewayUrl, receiver);
            try
            {
                await fresh.ConnectAsync(_context.ConnectTimeout, cancellation);
                var ready = fresh.ReadyAtMicros;
                var answer = await ResumeAsync(fresh, client, since, receiver, cancellation);
                return new Recovery(ready, BenchClock.NowMicros, refusals, answer);
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested)
            {
                refusals.Add(ErrorCounter.CodeOf(ex));
                await _fleet.CloseAsync(fresh);
                DeliveryChecker.Retry(receiver);
                await Task.Delay(delayAfter(refusals.Count, (ex as Clients.ConnectRefusedException)?.NextWait()), cancellation);
            }
        }
    }

    /// <summary>The member's connection leaves the checker (and closes); returns where its next one resumes.</summary>
    private async Task<(BenchClient Departed, long Since, DeliveryChecker.Receiver Receiver)> LeaveAsync(int client)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(client, _shape.Senders);
        var channel = _shape.ChannelOfClient[client];
        var departed = _clients[client];
        var since = _checker.Leave(departed.ReceiverOf(_channelIds[channel])!);
        await _fleet.CloseAsync(departed);
        return (departed, since, _checker.AddResumingReceiver(channel, since));
    }

    /// <summary>A new connection of the member on <paramref name="gatewayUrl"/>, checked as <paramref name="receiver"/> from its first event.</summary>
    private BenchClient Reopen(int client, BenchClient departed, string gatewayUrl, DeliveryChecker.Receiver receiver)
    {
        var fresh = _fleet.Reopen(departed, gatewayUrl);
        fresh.Track(_channelIds[_shape.ChannelOfClient[client]], receiver);
        fresh.Deliver(this);
        // In place before connecting: if the connect fails, the next leave of this member is this one's.
        _clients[client] = fresh;
        return fresh;
    }

    private async Task<ResumeAnswer> ResumeAsync(BenchClient fresh, int client, long since, DeliveryChecker.Receiver receiver, CancellationToken cancellation)
    {
        var answer = await fresh.ResumeChannelAsync(_channelIds[_shape.ChannelOfClient[client]], since, cancellation);
        DeliveryChecker.Resume(receiver, answer.Missed);
        return answer;
    }

    /// <summary>The verdict now: every acknowledged delivery still missing counts as lost.</summary>
    public CorrectnessReport Check() => _checker.Check();

    void IDeliverySink.Delivered(DeliveryChecker.Receiver? receiver, long seq, long intendedMicros, long arrivalMicros)
    {
        if (receiver is null || DeliveryChecker.Deliver(receiver, seq) is DeliveryOutcome.Duplicate or DeliveryOutcome.AfterLeaving)
        {
            return;
        }

        _current?.Delivered(intendedMicros, arrivalMicros);
    }

    void IDeliverySink.Dropped(BenchClient client, Exception? error)
    {
        if (ExpectDrops)
        {
            return;
        }

        _current?.Errors.Add("connection_closed", $"{client.UserId} on {client.GatewayUrl}: {error?.Message ?? "closed by the server"}");
        if (Interlocked.Increment(ref _drops) <= 5)
        {
            _context.Log($"{client.UserId} on {client.GatewayUrl} was disconnected: {error?.Message ?? "closed by the server"}");
        }
    }

    public ValueTask DisposeAsync() => _fleet.DisposeAsync();

    private async Task SetUpAsync(CancellationToken cancellation)
    {
        var users = Enumerable.Range(0, _shape.Clients).Select(i => _context.UserId("u", i)).ToArray();
        _clients = [.. await _fleet.ConnectAsync(users, i => _context.Gateways[_shape.GatewayOfClient[i]], cancellation)];

        var owners = new int[_shape.Channels];
        Array.Fill(owners, -1);
        for (var c = _shape.Clients - 1; c >= 0; c--)
        {
            owners[_shape.ChannelOfClient[c]] = c;
        }

        _channelIds = await _fleet.CreateChannelsAsync(owners.Select(c => _clients[c]).ToArray(), cancellation);
        for (var channel = 0; channel < _shape.Channels; channel++)
        {
            _checker.AddChannel();
        }

        // Watch before joining: from here on, every MessageCreated of these channels is checked.
        var joins = new List<(BenchClient, string)>();
        for (var c = 0; c < _shape.Clients; c++)
        {
            var channel = _shape.ChannelOfClient[c];
            _clients[c].Track(_channelIds[channel], _checker.AddReceiver(channel));
            _clients[c].Deliver(this);
            if (owners[channel] != c)
            {
                joins.Add((_clients[c], _channelIds[channel]));
            }
        }

        await _fleet.JoinAsync(joins, cancellation);
    }

    private async Task SendAsync(StepRecorder recorder, long start, double perSenderRate, CancellationToken cancellation)
    {
        var senders = _shape.Senders;
        var intervalMicros = 1_000_000.0 / (senders * perSenderRate);
        for (long g = 0; ; g++)
        {
            var intended = start + (long)(g * intervalMicros);
            if (intended >= recorder.WindowEnd)
            {
                return;
            }

            // Sleep only when the next send is ahead; when behind (a stalled generator), fire every
            // overdue send at once: their latency still counts from their intended times.
            await BenchClock.WaitUntilAsync(intended, cancellation);
            _ = SendOneAsync((int)(g % senders), intended, recorder);
        }
    }

    private async Task SendOneAsync(int sender, long intended, StepRecorder recorder)
    {
        var channel = _shape.ChannelOfClient[sender];
        var k = _sentBySender[sender]++;
        recorder.Sent(intended);
        Interlocked.Increment(ref _inFlight);
        try
        {
            var seq = await _clients[sender].SendAsync(
                _channelIds[channel], MessageStamp.Format(sender, k, intended, _padding), $"{_context.RunId}-{sender}-{k}");
            var at = BenchClock.NowMicros;
            _checker.Acknowledge(channel, seq);
            recorder.Acked(intended, at);
        }
        catch (Exception ex)
        {
            recorder.Failed(ex);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task<CpuReport> MeasureCpuAsync(StepRecorder recorder, CancellationToken cancellation)
    {
        await BenchClock.WaitUntilAsync(recorder.WindowStart, cancellation);
        var meter = CpuMeter.StartNew(_context.Processes);
        await BenchClock.WaitUntilAsync(recorder.WindowEnd, cancellation);
        return meter.Stop(recorder.DeliveriesInWindow, "deliveries");
    }

    /// <summary>
    /// Waits until every send is answered and every acknowledged message reached every connected
    /// member, or <paramref name="limit"/> passed: then a send still unanswered and a delivery still
    /// missing are failures of the step, however recent.
    /// </summary>
    private async Task<TimeSpan> DrainAsync(TimeSpan limit, CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            var elapsed = DateTime.UtcNow - started;
            if ((Interlocked.Read(ref _inFlight) == 0 && Check().LostDeliveries == 0) || elapsed >= limit)
            {
                return elapsed;
            }

            await Task.Delay(DrainPoll, cancellation);
        }
    }
}

/// <summary>How a member whose connection was cut came back: when it was ready and resumed (<see cref="BenchClock"/>), and the refusals on the way.</summary>
public sealed record Recovery(long ReadyMicros, long ResumedMicros, IReadOnlyList<string> Refusals, ResumeAnswer Answer);
