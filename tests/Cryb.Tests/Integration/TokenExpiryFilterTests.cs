using System.Reflection;
using System.Security.Claims;
using Cryb.Errors;
using Cryb.Gateway.Hubs;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Time.Testing;

namespace Cryb.Tests.Integration;

/// <summary>
/// The hub filter that refuses calls on an expired token, on a clock the test controls: the real
/// connection is closed about a second after expiry, too racy to catch the call in between.
/// </summary>
public sealed class TokenExpiryFilterTests
{
    private static readonly DateTimeOffset Expiry = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_call_before_exp_runs()
    {
        var filter = new TokenExpiryFilter(new FakeTimeProvider(Expiry.AddSeconds(-1)));

        Assert.Equal("ran", await filter.InvokeMethodAsync(Invocation(nameof(ProbeHub.Call), Expiry), Next));
    }

    [Fact]
    public async Task A_call_at_or_after_exp_is_refused_with_token_expired_and_does_not_run()
    {
        var clock = new FakeTimeProvider(Expiry - TimeSpan.FromTicks(1));
        var filter = new TokenExpiryFilter(clock);
        Assert.Equal("ran", await filter.InvokeMethodAsync(Invocation(nameof(ProbeHub.Call), Expiry), Next));
        clock.Advance(TimeSpan.FromTicks(1));
        var ran = false;

        var refusal = await Assert.ThrowsAsync<ChatException>(async () =>
            await filter.InvokeMethodAsync(Invocation(nameof(ProbeHub.Call), Expiry), _ =>
            {
                ran = true;
                return ValueTask.FromResult<object?>(null);
            }));

        Assert.Equal(ErrorCodes.TokenExpired, refusal.Code);
        Assert.False(ran);
    }

    [Fact]
    public async Task A_connection_without_exp_is_refused()
    {
        var filter = new TokenExpiryFilter(new FakeTimeProvider(Expiry.AddHours(-1)));

        var refusal = await Assert.ThrowsAsync<ChatException>(async () =>
            await filter.InvokeMethodAsync(Invocation(nameof(ProbeHub.Call), expires: null), Next));

        Assert.Equal(ErrorCodes.TokenExpired, refusal.Code);
    }

    [Fact]
    public async Task An_anonymous_method_is_not_checked()
    {
        var filter = new TokenExpiryFilter(new FakeTimeProvider(Expiry.AddHours(1)));

        Assert.Equal("ran", await filter.InvokeMethodAsync(Invocation(nameof(ProbeHub.Open), Expiry), Next));
    }

    private static ValueTask<object?> Next(HubInvocationContext context) => ValueTask.FromResult<object?>("ran");

    private static HubInvocationContext Invocation(string method, DateTimeOffset? expires)
    {
        var claims = new List<Claim> { new("sub", "alice") };
        if (expires is { } at)
        {
            claims.Add(new("exp", at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var caller = new FakeCaller(new ClaimsPrincipal(new ClaimsIdentity(claims, "Bearer")));
        return new HubInvocationContext(caller, null!, new ProbeHub(), typeof(ProbeHub).GetMethod(method)!, []);
    }

    [Authorize]
    private sealed class ProbeHub : Hub
    {
        public static void Call()
        {
        }

        [AllowAnonymous]
        public static void Open()
        {
        }
    }

    private sealed class FakeCaller(ClaimsPrincipal user) : HubCallerContext
    {
        public override string ConnectionId => "connection-1";
        public override string? UserIdentifier => "alice";
        public override ClaimsPrincipal? User => user;
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort()
        {
        }
    }
}
