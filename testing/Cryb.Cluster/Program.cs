using Cryb.Cluster;

// Called by ./cryb, which builds the solution and exports the CRYB_* settings first:
//   Cryb.Cluster up
//   Cryb.Cluster bench [--compare socketio|signalr] [--out DIR] SCENARIO [load tool options]
using var stop = new StopSignal();
try
{
    var developer = DeveloperCluster.FromEnvironment();
    return args switch
    {
        ["up"] => await UpCommand.RunAsync(developer, stop),
        ["bench", .. var rest] => await BenchCommand.RunAsync(developer, stop, rest),
        _ => throw new ClusterToolException($"unknown command '{string.Join(' ', args)}': this tool takes up or bench, through ./cryb"),
    };
}
catch (ClusterToolException refusal)
{
    Say.Failure(refusal.Message);
    return 1;
}
catch (Exception failure) when (failure is InvalidOperationException or TimeoutException or IOException)
{
    // A part that did not start or answer: the message names it and quotes its log; what started was stopped.
    Say.Failure(failure.Message);
    return 1;
}
