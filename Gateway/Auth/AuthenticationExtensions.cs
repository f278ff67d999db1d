using Cryb.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;

namespace Cryb.Gateway.Auth;

public static class AuthenticationExtensions
{
    /// <summary>
    /// JWT bearer authentication: the token comes in the <c>Authorization</c> header or, for
    /// WebSockets and server-sent events that cannot set headers, the <c>access_token</c> query
    /// string. It is checked against <c>Auth:SigningKey</c> (HMAC), an OpenID Connect authority's
    /// keys (<c>Auth:Authority</c>), or both; issuer, audience and lifetime are always checked.
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
        builder.Services.AddSingleton<AuthenticationAudit>();
        builder.Services.AddSingleton<CrybJwtBearerEvents>();
        builder.Services.AddSingleton<AccountStandingCache>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddAccessTokenPrivacy();
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            if (settings.UsesAuthority)
            {
                // The handler fetches the discovery document and JWKS on first use and refreshes
                // them (also when a token names an unknown key id), so the authority can rotate keys.
                options.Authority = settings.Authority;
                options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                if (!string.IsNullOrWhiteSpace(settings.MetadataAddress))
                {
                    options.MetadataAddress = settings.MetadataAddress;
                }
            }

            options.TokenValidationParameters = new TokenValidationParameters
            {
                // With an authority, its discovery document's issuer is accepted as well.
                ValidIssuer = settings.Issuer,
                ValidAudience = settings.Audience,
                IssuerSigningKey = settings.HasSigningKey ? new SymmetricSecurityKey(settings.SigningKeyBytes) : null,
                ValidAlgorithms = settings.ValidAlgorithms,
                ClockSkew = settings.ClockSkew,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                NameClaimType = TokenIssuer.NameClaim,
            };
            options.EventsType = typeof(CrybJwtBearerEvents);
        });
        builder.AddCrybBrowserOrigins();
        return builder;
    }
}
