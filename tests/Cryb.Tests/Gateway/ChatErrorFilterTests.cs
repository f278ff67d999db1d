using System.Diagnostics.Metrics;
using System.Security.Claims;
using Cryb.Errors;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Hosting;
using Cryb.Gateway.Hubs;
using Cryb.Gateway.Presence;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cryb.Tests.Gateway;

/// <summary>
/// How the hub tells an outage from a defect: the cluster not answering is <c>unavailable</c>
/// (refused, retry), anything else that is not a refusal is <c>internal_error</c>, counted failed.
/// </summary>
public sealed class ChatErrorFilterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<string> _outcomes = [];

    public ChatErrorFilterTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this test's meter: other tests' gateways count their own calls in the same process.
            if (instrument.Name == "cryb.hub.invocations" && instrument.Meter.Scope == _services.GetRequiredService<IMeterFactory>())
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    _outcomes.Add((string)tag.Value!);
                }
            }
        });
        _listener.Start();
    }

    public static TheoryData<Exception, string, string> Failures() => new()
    {
        { new ChatException(ErrorCodes.MessageEmpty, "empty"), ErrorCodes.MessageEmpty, "refused" },
        { new SiloUnavailableException(), ErrorCodes.Unavailable, "failed" },
        { new TimeoutException(), ErrorCodes.Unavailable, "failed" },
        { new OrleansException("no answer"), ErrorCodes.Unavailable, "failed" },
        { new OrleansException("timed out", new TimeoutException()), ErrorCodes.Unavailable, "failed" },
        // What a grain's activation or state threw, wrapped by Orleans: a defect, not an outage.
        { new OrleansException("activation failed", new InvalidCastException()), ErrorCodes.Internal, "failed" },
        { new InvalidOperationException("a bug"), ErrorCodes.Internal, "failed" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failure_reaches_the_client_under_the_code_that_says_what_it_was(Exception failure, string code, string outcome)
    {
        var metrics = new GatewayMetrics(_services.GetRequiredService<IMeterFactory>(), new GatewayIdentity(), new ConnectionRegistry(), cluster: null!);
        var filter = new ChatErrorFilter(metrics, NullLogger<ChatErrorFilter>.Instance);
        var invocation = new HubInvocationContext(new Caller("alice"), _services, new SomeHub(), typeof(SomeHub).GetMethod(nameof(SomeHub.SendMessage))!, []);

        var refused = await Assert.ThrowsAsync<HubException>(async () => await filter.InvokeMethodAsync(invocation, _ => throw failure));

        Assert.StartsWith($"{code}: ", refused.Message, StringComparison.Ordinal);
        Assert.Equal([outcome], _outcomes);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private sealed class SomeHub : Hub
    {
        public Task SendMessage() => Task.CompletedTask;
    }

    private sealed class Caller(string userId) : HubCallerContext
    {
        public override string ConnectionId => "connection-1";
        public override string? UserIdentifier => userId;
        public override ClaimsPrincipal? User => null;
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort()
        {
        }
    }
}
