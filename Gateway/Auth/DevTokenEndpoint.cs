using Cryb.Identity;
using Cryb.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cryb.Gateway.Auth;

/// <summary>
/// <c>POST /auth/dev-token</c> with <c>{"userId": "...", "displayName": "..."}</c> returns
/// <c>{"token": "..."}</c>. Only mapped when <c>Auth:DevTokens:Enabled</c> is set, which the
/// gateway refuses in Production.
/// </summary>
public static class DevTokenEndpoint
{
    public static WebApplication MapDevTokens(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<AuthSettings>();
        if (settings.DevTokens.Enabled)
        {
            app.MapPost("/auth/dev-token", Issue).RequireCors(BrowserOriginExtensions.CorsPolicy);
        }

        return app;
    }

    private static Results<Ok<DevTokenResponse>, ProblemHttpResult> Issue(DevTokenRequest request, TokenIssuer issuer, AuthSettings settings)
    {
        if (!Ids.IsValid(request.UserId))
        {
            return TypedResults.Problem(
                title: "invalid_argument",
                detail: $"userId must be 1 to {Ids.MaxLength} letters, digits, '_', '-' or '.'.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        var displayName = DisplayNames.OrUserId(request.DisplayName, request.UserId!);
        return TypedResults.Ok(new DevTokenResponse(issuer.Issue(request.UserId!, displayName, settings.DevTokens.Lifetime)));
    }

    public sealed record DevTokenRequest(string? UserId, string? DisplayName);

    public sealed record DevTokenResponse(string Token);
}
