using System.Diagnostics;
using System.Globalization;
using Cryb.Bench.Load;
using Cryb.Bench.Measurement;
using Cryb.Chaos.Checker;
using Cryb.Chaos.Cluster;
using Cryb.Chaos.Faults;
using Cryb.Chaos.Reporting;
using Cryb.Testing;

namespace Cryb.Chaos;

/// <summary>
/// The suite: one cluster for every scenario, the checker's clients connected throughout, and per
/// scenario load before the fault, the fault, load after it, a drain, and the verdict against
/// PostgreSQL. Whatever a fault left dead is restarted between scenarios.
/// </summary>
public sealed class ChaosRun
{
    private readonly ChaosSettings _settings;
    private readonly Action<string> _log;
    private readonly Recorder _recorder;
    private readonly List<CheckerClient> _clients = [];
    private readonly List<string> _channelIds = [];
    private string _slowClientToken = "";
    private CheckerClient? _serverOwner;
    private ChaosServer? _server;

    public ChaosRun(ChaosSettings settings, Action<string> log)
    {
        _settings = settings;
        _log = log;
        _recorder = new Recorder(settings.Channels);
    }

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(IReadOnlyList<Fault> faults, CancellationToken cancellation)
    {
        await using var cluster = await ChaosCluster.StartAsync(_settings.Silos, _settings.Gateways, _log);
        try
        {
            await SetUpAsync(cluster, cancellation);
            var results = new List<ScenarioResult>();
            for (var i = 0; i < faults.Count; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var fault = faults[i];
                var result = await RunScenarioAsync(cluster, fault);
                results.Add(result);
                _log($"{fault.Name}: {Verdict(result)}: lost {result.Lost}, stored duplicates {result.StoredDuplicates}, gaps {result.Gaps}, out of order {result.OutOfOrder}, users shown offline {result.UsersShownOffline}");
                try
                {
                    await HealAsync(cluster);
                }
                catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
                {
                    // A cluster the fault left broken: report what was measured, and every later
                    // scenario as not run, which fails the suite as surely as a lost message.
                    _log($"the cluster did not recover after {fault.Name}; the remaining scenarios are not run: {ex.Message.Split('\n')[0]}");
                    results[^1] = result with { Notes = [.. result.Notes, "the cluster did not become ready again afterwards"] };
                    results.AddRange(faults.Skip(i + 1).Select(later =>
                        ScenarioResult.Skipped(later.Name, later.Description, $"the cluster did not recover after {fault.Name}")));
                    break;
                }
            }

            return results;
        }
        finally
        {
            foreach (var client in _clients)
            {
                await client.DisposeAsync();
            }

            if (_serverOwner is not null)
            {
                await _serverOwner.DisposeAsync();
            }
        }
    }

    /// <summary>Clients connected round-robin over the gateways, channels created, every client a member of one.</summary>
    private async Task SetUpAsync(ChaosCluster cluster, CancellationToken cancellation)
    {
        var users = Enumerable.Range(1, _settings.Clients).Select(i => $"chaos-{i:D3}").Append("chaos-owner").Append("chaos-slow").ToArray();
        var tokens = await DevTokens.FetchAsync(cluster.GatewayUrls, users, 8, cancellation);
        _slowClientToken = tokens[^1];
        _serverOwner = new CheckerClient(users[^2], tokens[^2], cluster.GatewayUrls, 0, _recorder);
        await _serverOwner.StartAsync(cancellation);
        _server = await ChaosServer.CreateAsync(_serverOwner);
        for (var i = 0; i < _settings.Clients; i++)
        {
            var client = new CheckerClient(users[i], tokens[i], cluster.GatewayUrls, i % cluster.Gateways.Count, _recorder);
            await client.StartAsync(cancellation);
            _clients.Add(client);
        }

        for (var channel = 0; channel < _settings.Channels; channel++)
        {
            _channelIds.Add(ChaosServer.IsServerChannel(channel)
                ? await _server.AddChannelAsync($"chaos {channel + 1}")
                : (await _clients[channel].CreateChannelAsync($"chaos {channel + 1}")).Id);
        }

        for (var i = 0; i < _clients.Count; i++)
        {
            var channel = i % _settings.Channels;
            if (ChaosServer.IsServerChannel(channel))
            {
                await _server.AdmitAsync(_clients[i], _channelIds[channel]);
            }

            await _clients[i].JoinAsync(_channelIds[channel], channel);
        }

        _log($"{_clients.Count} clients in {_settings.Channels} channels (the odd ones a server's, each shown to its role only); {_settings.Senders} senders at {_settings.Rate}/s each");
    }

    private async Task<ScenarioResult> RunScenarioAsync(ChaosCluster cluster, Fault fault)
    {
        _log($"scenario {fault.Name}: {fault.Description}");
        var window = _recorder.Begin(fault.Name);
        var clock = Stopwatch.StartNew();
        var before = await StoredMessages.MaxSeqsAsync(cluster.DataSource, _channelIds);
        var sentBefore = await cluster.SumBySiloAsync("cryb_messages_sent_total");
        var senders = _clients.Take(_settings.Senders)
            .Select((client, i) => new SendLoad.Sender(client, _channelIds[i % _settings.Channels], i % _settings.Channels))
            .ToArray();
        var load = new SendLoad(_recorder, senders, _settings.Channels, _settings.Rate);
        using var stopSending = new CancellationTokenSource();
        var sending = load.RunAsync(stopSending.Token);

        await Task.Delay(_settings.PhaseLength);
        var sentAtFault = await cluster.SumBySiloAsync("cryb_messages_sent_total");
        var busiestSilo = cluster.Silos
            .Where(silo => silo.IsRunning)
            .MaxBy(silo => sentAtFault.GetValueOrDefault(silo.Name) - sentBefore.GetValueOrDefault(silo.Name))!;
        var busiestGateway = cluster.Gateways.MaxBy(gateway => _clients.Count(client => client.Gateway == gateway.Url))!;
        var context = new FaultContext(cluster, window, _settings, busiestSilo, busiestGateway, _clients, _channelIds, _slowClientToken, _server!, _log);

        window.FaultInjected(load.MaxAcknowledged());
        string? notRun = null;
        try
        {
            await fault.InjectAsync(context);
        }
        catch (Exception ex)
        {
            // The figures still say what the load saw, but the fault did not happen as written, so
            // its zeros prove nothing: the scenario counts as not run.
            notRun = $"the fault's own steps failed: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}";
        }

        window.Phase = Phase.After;
        await Task.Delay(_settings.PhaseLength);
        window.Phase = Phase.Drain;
        await stopSending.CancelAsync();
        await sending;
        await DrainAsync(cluster);
        var result = await VerdictAsync(cluster, fault, window, before, clock.Elapsed);
        return result with { NotRunReason = notRun, UsersShownOffline = context.UsersShownOffline, SendsAgainTargetSeconds = fault.SendsAgainWithinSeconds };
    }

    /// <summary>Waits until every member holds the highest stored seq of its channel, or the drain time passed.</summary>
    private async Task DrainAsync(ChaosCluster cluster)
    {
        var deadline = DateTime.UtcNow + _settings.DrainFor;
        while (DateTime.UtcNow < deadline)
        {
            var latest = await StoredMessages.MaxSeqsAsync(cluster.DataSource, _channelIds);
            if (_clients.All(client => client.Receivers.All(receiver => HoldsUpTo(receiver, latest[receiver.ChannelId]))))
            {
                return;
            }

            await Task.Delay(200);
        }
    }

    private static bool HoldsUpTo(ChannelReceiver receiver, long seq)
    {
        lock (receiver)
        {
            return receiver.LastApplied >= seq;
        }
    }

    private async Task<ScenarioResult> VerdictAsync(ChaosCluster cluster, Fault fault, ScenarioWindow window, Dictionary<string, long> before, TimeSpan elapsed)
    {
        var stored = await StoredMessages.LoadAsync(cluster.DataSource, _channelIds);
        var sends = _recorder.Sends.Where(send => send.Window == window).ToArray();
        var lost = new HashSet<(int Channel, long Seq)>();
        foreach (var send in sends.Where(send => send.Seq is not null))
        {
            if (stored.SeqOf(_channelIds[send.Channel], send.AuthorId, send.Nonce) != send.Seq)
            {
                lost.Add((send.Channel, send.Seq!.Value));
            }
        }

        var acknowledged = sends.Where(send => send.Seq is not null).Select(send => (send.Channel, send.Seq!.Value)).ToHashSet();
        long gaps = 0, notResumed = 0;
        long? lastResumed = 0;
        var notResumedChannels = new SortedSet<int>();
        foreach (var receiver in _clients.SelectMany(client => client.Receivers))
        {
            lock (receiver)
            {
                var from = Math.Max(before[receiver.ChannelId], receiver.JoinedAtSeq);
                foreach (var seq in stored.SeqsAfter(receiver.ChannelId, from).Where(seq => !receiver.Has(seq)))
                {
                    gaps++;
                    if (acknowledged.Contains((receiver.Channel, seq)))
                    {
                        lost.Add((receiver.Channel, seq));
                    }
                }

                var resumed = receiver.FirstAppliedAbove(window.SeqAtFault[receiver.Channel], window.FaultAtMicros);
                if (resumed is null)
                {
                    notResumed++;
                    lastResumed = null;
                    notResumedChannels.Add(receiver.Channel);
                }
                else if (lastResumed is not null)
                {
                    lastResumed = Math.Max(lastResumed.Value, resumed.Value - window.FaultAtMicros);
                }
            }
        }

        // A member that never applied a seq above the one at the fault, after it, although it may
        // hold every message: what the checker saw of each such channel, so a "never" can be explained.
        foreach (var channel in notResumedChannels)
        {
            var highestStored = stored.SeqsAfter(_channelIds[channel], 0).DefaultIfEmpty(0).Max();
            window.Notes.Add($"channel {channel + 1} not resumed: seq at the fault {window.SeqAtFault[channel]}, highest stored {highestStored}, "
                + $"sends acknowledged after the fault {sends.Count(send => send.Channel == channel && send.Seq > window.SeqAtFault[channel])}");
        }

        var unknown = sends.Where(send => send.HadUnknownOutcome).ToArray();
        var maxRefusal = window.MaxStorageRefusalMicros;
        return new ScenarioResult(
            fault.Name,
            fault.Description,
            Math.Round(elapsed.TotalSeconds, 1),
            sends.Length,
            acknowledged.Count,
            lost.Count,
            stored.Duplicates,
            _channelIds.Sum(id => stored.Holes(id)),
            gaps,
            window.LiveOutOfOrder,
            window.LiveDuplicates,
            window.LiveGaps,
            unknown.Length,
            unknown.Count(send => stored.SeqOf(_channelIds[send.Channel], send.AuthorId, send.Nonce) is not null),
            sends.Count(send => send.Seq is null && send.FinalCode is null),
            window.AckedWhileDown,
            maxRefusal == 0 ? null : Seconds(maxRefusal),
            window.Errors.Snapshot(),
            window.Reconnects,
            notResumed,
            window.EveryChannelSendingAfterFaultMicros() is { } sending ? Seconds(sending) : null,
            lastResumed is { } all ? Seconds(all) : null,
            window.Latency(Phase.Before),
            window.Latency(Phase.During),
            window.Latency(Phase.After),
            [.. window.Notes]);
    }

    /// <summary>Restarts what a fault left dead and waits until every client is connected again.</summary>
    private async Task HealAsync(ChaosCluster cluster)
    {
        await cluster.HealAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_clients.Any(client => client.Connection is null) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    internal static string Verdict(ScenarioResult result) => !result.Ran ? "NOT RUN" : result.Passed ? "passed" : "FAILED";

    private static double Seconds(long micros) => Math.Round(micros / 1e6, 2, MidpointRounding.AwayFromZero);

    internal static string Format(double? seconds) => seconds is { } value ? value.ToString("0.0#", CultureInfo.InvariantCulture) + " s" : "never";
}
