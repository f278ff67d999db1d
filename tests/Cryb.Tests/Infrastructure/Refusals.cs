using System.Net;
using System.Text.RegularExpressions;
using Cryb.Errors;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cryb.Tests.Infrastructure;

/// <summary>Asserts that a call was refused with a given stable error code.</summary>
public static partial class Refusals
{
    /// <summary>For grain calls: the <see cref="ChatException"/> carries the code.</summary>
    public static async Task AssertGrainRefusesAsync(string code, Func<Task> call)
    {
        var refusal = await Assert.ThrowsAsync<ChatException>(call);
        Assert.Equal(code, refusal.Code);
    }

    /// <summary>
    /// For hub calls: the client sees "... HubException: code: reason"; the code is what clients parse.
    /// </summary>
    public static async Task AssertHubRefusesAsync(string code, Func<Task> call)
    {
        var refusal = await Assert.ThrowsAsync<HubException>(call);
        Assert.Equal(code, CodeOf(refusal));
    }

    /// <summary>A connect the gateway accepts and then closes (over a limit): the reason it gave.</summary>
    public static async Task<string> ConnectExpectingCloseAsync(string gatewayUrl, string token)
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = new HubConnectionBuilder()
            .WithUrl($"{gatewayUrl}/hubs/chat", options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        await using (connection)
        {
            try
            {
                await connection.StartAsync(TestContext.Current.CancellationToken);
            }
            catch (Exception refusedDuringStart)
            {
                return refusedDuringStart.Message;
            }

            var error = await closed.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
            return error?.Message ?? "(closed without an error)";
        }
    }

    /// <summary>For connects: the official client's start fails with 401 and no connection exists.</summary>
    public static async Task AssertConnectRefusedAsync(string gatewayUrl, string token)
    {
        await using var connection = new HubConnectionBuilder()
            .WithUrl($"{gatewayUrl}/hubs/chat", options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var refusal = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Unauthorized, refusal.StatusCode);
    }

    public static string? CodeOf(HubException exception) =>
        CodePattern().Match(exception.Message) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@"HubException: ([a-z_]+):")]
    private static partial Regex CodePattern();
}
