using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A minimal OpenID Connect provider in the test process, on a free loopback port: a discovery
/// document and a JWKS with one RSA public key. Tokens are signed by the test with <see cref="Credentials"/>.
/// </summary>
public sealed class TestOpenIdAuthority : IAsyncDisposable
{
    public const string KeyId = "test-authority-key";

    private readonly WebApplication _app;
    private readonly RSA _key;
    private int _jwksRequests;

    private TestOpenIdAuthority(WebApplication app, RSA key, string url)
    {
        _app = app;
        _key = key;
        Url = url;
        Credentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256);
    }

    /// <summary>The authority, which is also the issuer its discovery document names.</summary>
    public string Url { get; }

    public SigningCredentials Credentials { get; }

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public static async Task<TestOpenIdAuthority> StartAsync()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var key = RSA.Create(2048);
        var authority = new TestOpenIdAuthority(app, key, url);
        var publicKey = key.ExportParameters(includePrivateParameters: false);

        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = url,
            ["jwks_uri"] = $"{url}/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256 },
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
        }));
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref authority._jwksRequests);
            return Results.Json(new Dictionary<string, object>
            {
                ["keys"] = new[]
                {
                    new Dictionary<string, string>
                    {
                        ["kty"] = "RSA",
                        ["use"] = "sig",
                        ["alg"] = SecurityAlgorithms.RsaSha256,
                        ["kid"] = KeyId,
                        ["n"] = Base64UrlEncoder.Encode(publicKey.Modulus),
                        ["e"] = Base64UrlEncoder.Encode(publicKey.Exponent),
                    },
                },
            });
        });
        await app.StartAsync();
        return authority;
    }

    /// <summary>Credentials that claim the authority's key id but sign with another RSA key: a forgery.</summary>
    public static SigningCredentials Forged(RSA otherKey) =>
        new(new RsaSecurityKey(otherKey) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
    }
}
