using Cryb.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Cryb.Gateway.Auth;

public static class AuthenticationExtensions
{
    /// <summary>
    /// JWT bearer authentication: the token comes in the <c>Authorization</c> header or, for
    /// WebSockets and server-sent events that cannot set headers, the <c>access_token</c> query string.
    /// </summary>
    public static WebApplicationBuilder AddCrybAuthentication(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.BindValidated<AuthSettings>(AuthSettings.Section);
        if (settings.DevTokens.Enabled && builder.Environment.IsProduction())
        {
            throw new InvalidOperationException(
                "Auth:DevTokens:Enabled is true in the Production environment: dev tokens let anyone act as any user. Turn it off.");
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = settings.Issuer,
                ValidAudience = settings.Audience,
                IssuerSigningKey = new SymmetricSecurityKey(settings.SigningKeyBytes),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ClockSkew = settings.ClockSkew,
                RequireExpirationTime = true,
                NameClaimType = TokenIssuer.NameClaim,
            };
            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    if (context.HttpContext.Request.Path.StartsWithSegments("/hubs")
                        && context.Request.Query["access_token"] is { Count: > 0 } token)
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                },
            };
        });
        return builder;
    }
}
