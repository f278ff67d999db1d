using System.Net.Http.Headers;
using System.Text;
using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;

namespace Cryb.Silo.Admin;

/// <summary>
/// The operator's handle on the standalone channel sweep (<see cref="IChannelSweepGrain"/>):
/// <c>POST /admin/channel-migration</c> starts a pass (or returns the running one's progress),
/// <c>GET</c> shows the progress. The request authenticates as a service account with HTTP Basic
/// (account name and secret); the grain call carries that credential, so the silos' filter and the
/// grain check it and its grant (<c>IChannelSweepGrain.*</c>) as for any Orleans client's call.
/// </summary>
public static class ChannelMigrationEndpoints
{
    public const string Route = "/admin/channel-migration";

    public static WebApplication MapChannelMigration(this WebApplication app)
    {
        var sweep = app.Services.GetRequiredService<IGrainFactory>().GetGrain<IChannelSweepGrain>(0);
        var group = app.MapGroup(Route);
        group.MapPost("", (HttpRequest request) => AsOperatorAsync(request, sweep.Start));
        group.MapGet("", (HttpRequest request) => AsOperatorAsync(request, sweep.GetProgress));
        return app;
    }

    private static async Task<IResult> AsOperatorAsync(HttpRequest request, Func<ServiceCredential, Task<ChannelSweepProgress>> call)
    {
        if (CredentialOf(request) is not { } credential)
        {
            return TypedResults.Problem("Authenticate as a service account with HTTP Basic (account name and secret).",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        try
        {
            return TypedResults.Ok(await call(credential));
        }
        catch (ChatException refused) when (refused.Code is ErrorCodes.Unauthenticated or ErrorCodes.Forbidden)
        {
            return TypedResults.Problem(refused.Message, statusCode: refused.Code == ErrorCodes.Forbidden
                ? StatusCodes.Status403Forbidden
                : StatusCodes.Status401Unauthorized);
        }
    }

    private static ServiceCredential? CredentialOf(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return null;
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = pair.IndexOf(':');
            return colon > 0 ? new ServiceCredential(pair[..colon], pair[(colon + 1)..]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
