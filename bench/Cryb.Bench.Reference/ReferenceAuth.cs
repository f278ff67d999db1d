using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cryb.Bench.Reference;

/// <summary>
/// The gateway's development tokens, minus everything else: HS256 with <c>Auth__SigningKey</c>,
/// issuer and audience <c>cryb</c>, the token in <c>access_token</c> for WebSockets, and
/// <c>POST /auth/dev-token</c> for the bench to get them.
/// </summary>
public static class ReferenceAuth
{
    private const string Issuer = "cryb";
    private const string Audience = "cryb";

    public static WebApplicationBuilder AddReferenceAuth(this WebApplicationBuilder builder)
    {
        var key = builder.Configuration["Auth:SigningKey"] is { Length: >= 32 } text
            ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(text))
            : throw new InvalidOperationException("Auth:SigningKey (environment variable Auth__SigningKey) must be at least 32 bytes.");
        builder.Services.AddSingleton(key);
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIds>();
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = Issuer,
                ValidAudience = Audience,
                IssuerSigningKey = key,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                NameClaimType = "name",
            };
            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    if (context.Request.Path.StartsWithSegments(ReferenceHub.Path) && context.Request.Query["access_token"] is { Count: > 0 } token)
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                },
            };
        });
        return builder;
    }

    public static WebApplication MapDevTokens(this WebApplication app)
    {
        app.MapPost("/auth/dev-token", (DevTokenRequest request, SymmetricSecurityKey key) =>
        {
            if (string.IsNullOrWhiteSpace(request.UserId))
            {
                return Results.Problem(title: "invalid_argument", detail: "userId is required.", statusCode: StatusCodes.Status400BadRequest);
            }

            var now = DateTime.UtcNow;
            var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Issuer,
                Audience = Audience,
                Subject = new ClaimsIdentity([new Claim("sub", request.UserId), new Claim("name", request.DisplayName ?? request.UserId)]),
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddHours(12),
                SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
            });
            return Results.Ok(new { token });
        });
        return app;
    }

    private sealed record DevTokenRequest(string? UserId, string? DisplayName);

    /// <summary>The user is the token's <c>sub</c>, as on the gateway.</summary>
    private sealed class SubjectUserIds : IUserIdProvider
    {
        public string? GetUserId(HubConnectionContext connection) => connection.User.FindFirst("sub")?.Value;
    }
}
