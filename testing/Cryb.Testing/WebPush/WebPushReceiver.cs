using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cryb.Testing.WebPush;

/// <summary>
/// A push service on loopback, for tests: what a browser's push service (RFC 8030) does with a push,
/// done for real. It makes each subscription's keys as a browser would (a P-256 key pair and a
/// 16-byte auth secret), checks every push's VAPID header (RFC 8292: an ES256 JWT signed by the key
/// in <c>k</c>, which must be the cluster's, for this origin, expiring within 24 hours, with a
/// subject), decrypts the body with the subscription's private key (RFC 8291 over RFC 8188's
/// aes128gcm), and records it with its <c>Urgency</c>, <c>Topic</c> and <c>TTL</c>. A test can have
/// it answer a subscription's next pushes with an error, or hold every answer.
/// </summary>
public sealed class WebPushReceiver : IAsyncDisposable
{
    /// <summary>RFC 8292: a push service refuses a JWT that expires more than a day ahead.</summary>
    private static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromHours(24);

    private readonly HttpListener _listener = new();
    private readonly string _vapidPublicKey;
    private readonly ConcurrentDictionary<string, ECDiffieHellman> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _auths = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<PlannedAnswer>> _plans = new(StringComparer.Ordinal);
    private readonly List<PushAttempt> _attempts = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource _released = CompletedRelease();
    private event Action? Changed;

    private WebPushReceiver(string vapidPublicKey, int port)
    {
        _vapidPublicKey = vapidPublicKey;
        Origin = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Origin + "/");
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Listens on a free loopback port, accepting pushes signed with <paramref name="vapidPublicKey"/> (base64url) only.</summary>
    public static WebPushReceiver Start(string vapidPublicKey) => new(vapidPublicKey, FreePort.Next());

    /// <summary><c>http://127.0.0.1:port</c>: the endpoints' origin, so the VAPID <c>aud</c> it expects.</summary>
    public string Origin { get; }

    /// <summary>Every request, in order of arrival: pushes accepted or refused, and requests that failed a check.</summary>
    public IReadOnlyList<PushAttempt> Attempts
    {
        get
        {
            lock (_gate)
            {
                return [.. _attempts];
            }
        }
    }

    /// <summary>The pushes it accepted (answered 201), decrypted.</summary>
    public IReadOnlyList<PushAttempt> Delivered => Attempts.Where(attempt => attempt.Status == HttpStatusCode.Created).ToArray();

    /// <summary>Requests that failed a check (VAPID, encryption, headers): each is a bug in the sender.</summary>
    public IReadOnlyList<PushAttempt> Invalid => Attempts.Where(attempt => attempt.Problem is not null).ToArray();

    /// <summary>A new subscription, as <c>PushManager.subscribe</c> gives a page: an endpoint here and the browser's public keys.</summary>
    public ReceiverSubscription Subscribe()
    {
        var endpoint = $"{Origin}/push/{Guid.NewGuid():N}";
        var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var auth = RandomNumberGenerator.GetBytes(16);
        _keys[endpoint] = key;
        _auths[endpoint] = auth;
        return new ReceiverSubscription(endpoint, Base64Url.EncodeToString(PublicPoint(key)), Base64Url.EncodeToString(auth));
    }

    /// <summary>Answers the next <paramref name="times"/> valid pushes to <paramref name="endpoint"/> with <paramref name="status"/> (and a <c>Retry-After</c>) instead of taking them.</summary>
    public void Plan(string endpoint, HttpStatusCode status, TimeSpan? retryAfter = null, int times = 1)
    {
        var queue = _plans.GetOrAdd(endpoint, _ => new ConcurrentQueue<PlannedAnswer>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(new PlannedAnswer(status, retryAfter));
        }
    }

    /// <summary>From now on, requests are checked and recorded on arrival but answered only after <see cref="Release"/>: a sender that dies meanwhile never hears back.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            if (_released.Task.IsCompleted)
            {
                _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Answers every held request, and those after at once.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _released.TrySetResult();
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for <see cref="Attempts"/>, re-checked at each request; the timeout names <paramref name="what"/>.</summary>
    public async Task<IReadOnlyList<PushAttempt>> WaitForAsync(Func<IReadOnlyList<PushAttempt>, bool> condition, string what, TimeSpan? timeout = null)
    {
        // Generous: a wait, not a sleep, and a full test run on two shared cores can hold a silo's worker back for many seconds.
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var changed = new SemaphoreSlim(0);
        void OnChanged() => changed.Release();
        Changed += OnChanged;
        try
        {
            using var deadline = new CancellationTokenSource(limit);
            while (true)
            {
                var attempts = Attempts;
                if (condition(attempts))
                {
                    return attempts;
                }

                try
                {
                    await changed.WaitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"Waited {limit.TotalSeconds:F0} s for {what}; the receiver saw {attempts.Count} requests: "
                        + string.Join("; ", attempts.Select(attempt => $"{(int)attempt.Status} {attempt.Problem ?? attempt.Json}")));
                }
            }
        }
        finally
        {
            Changed -= OnChanged;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                continue;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var endpoint = Origin + request.Url!.AbsolutePath;
        using var body = new MemoryStream();
        await request.InputStream.CopyToAsync(body);
        var at = DateTimeOffset.UtcNow;
        string? problem;
        string? json = null;
        try
        {
            problem = CheckRequest(request, endpoint);
            if (problem is null)
            {
                json = Decrypt(endpoint, body.ToArray());
            }
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException or ArgumentException or JsonException or InvalidDataException)
        {
            problem = $"{exception.GetType().Name}: {exception.Message}";
        }

        var status = HttpStatusCode.Created;
        TimeSpan? retryAfter = null;
        if (problem is not null)
        {
            status = !_keys.ContainsKey(endpoint) ? HttpStatusCode.NotFound : problem.StartsWith("vapid", StringComparison.Ordinal) ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest;
        }
        else if (_plans.TryGetValue(endpoint, out var plans) && plans.TryDequeue(out var plan))
        {
            (status, retryAfter) = (plan.Status, plan.RetryAfter);
        }

        var attempt = new PushAttempt(endpoint, at, status, problem, json,
            request.Headers["Urgency"], request.Headers["Topic"], request.Headers["TTL"] is { } ttl ? int.Parse(ttl, System.Globalization.CultureInfo.InvariantCulture) : null);
        Task released;
        lock (_gate)
        {
            _attempts.Add(attempt);
            released = _released.Task;
        }

        Changed?.Invoke();
        await released;
        try
        {
            context.Response.StatusCode = (int)status;
            if (retryAfter is { } wait)
            {
                context.Response.Headers["Retry-After"] = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (status == HttpStatusCode.Created)
            {
                context.Response.Headers["Location"] = $"{Origin}/message/{Guid.NewGuid():N}";
            }

            context.Response.Close();
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // The sender went away while the answer was held: what a killed silo leaves behind.
        }
    }

    /// <summary>What a push service checks before it looks at the body: the endpoint, the headers RFC 8030 requires, and VAPID (RFC 8292).</summary>
    private string? CheckRequest(HttpListenerRequest request, string endpoint)
    {
        if (request.HttpMethod != "POST")
        {
            return $"method {request.HttpMethod}, not POST";
        }

        if (!_keys.ContainsKey(endpoint))
        {
            return $"no subscription at {endpoint}";
        }

        if (request.Headers["TTL"] is not { } ttl || !int.TryParse(ttl, out var seconds) || seconds < 0)
        {
            return "no TTL header (RFC 8030 requires one)";
        }

        if (request.Headers["Content-Encoding"] != "aes128gcm")
        {
            return $"Content-Encoding '{request.Headers["Content-Encoding"]}', not aes128gcm";
        }

        if (request.Headers["Topic"] is { } topic && (topic.Length > 32 || !topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return $"Topic '{topic}' is not at most 32 base64url characters";
        }

        return CheckVapid(request.Headers["Authorization"], endpoint);
    }

    private string? CheckVapid(string? authorization, string endpoint)
    {
        if (authorization is null || !authorization.StartsWith("vapid ", StringComparison.OrdinalIgnoreCase))
        {
            return $"vapid: Authorization '{authorization}' is not the vapid scheme";
        }

        var parameters = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim().Trim('"'), StringComparer.OrdinalIgnoreCase);
        if (!parameters.TryGetValue("t", out var token) || !parameters.TryGetValue("k", out var key))
        {
            return "vapid: no t= or k= parameter";
        }

        if (key.TrimEnd('=') != _vapidPublicKey.TrimEnd('='))
        {
            return "vapid: k is not the cluster's public key";
        }

        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return "vapid: t is not a JWT";
        }

        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        if (header.RootElement.GetProperty("alg").GetString() != "ES256")
        {
            return "vapid: the JWT is not ES256";
        }

        var point = Base64Url.DecodeFromChars(key.TrimEnd('='));
        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33], Y = point[33..65] },
        });
        // JWS ES256 signatures are R || S, 32 bytes each: .NET's default (IEEE P1363) format.
        if (!verifier.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256))
        {
            return "vapid: the JWT's signature does not verify with k";
        }

        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var root = claims.RootElement;
        var audience = new Uri(endpoint).GetLeftPart(UriPartial.Authority);
        if (!root.TryGetProperty("aud", out var aud) || aud.GetString() != audience)
        {
            return $"vapid: aud is {(aud.ValueKind == JsonValueKind.String ? aud.GetString() : "missing")}, not {audience}";
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!root.TryGetProperty("exp", out var exp) || exp.GetInt64() <= now || exp.GetInt64() > now + (long)MaxTokenLifetime.TotalSeconds)
        {
            return "vapid: exp is not within the next 24 hours";
        }

        if (!root.TryGetProperty("sub", out var sub) || sub.GetString() is not { } subject
            || !(subject.StartsWith("mailto:", StringComparison.Ordinal) || subject.StartsWith("https:", StringComparison.Ordinal)))
        {
            return "vapid: sub is not a mailto: or https: contact";
        }

        return null;
    }

    /// <summary>
    /// RFC 8291 section 3.4 on RFC 8188: the body starts with the salt, the record size and the
    /// sender's ephemeral public key; the ECDH secret between that key and the subscription's,
    /// mixed with the auth secret, gives the content key and nonce of AES-128-GCM; the plaintext
    /// ends with the last record's delimiter (2) and optional zero padding.
    /// </summary>
    private string Decrypt(string endpoint, byte[] body)
    {
        var receiver = _keys[endpoint];
        var auth = _auths[endpoint];
        if (body.Length < 16 + 4 + 1)
        {
            throw new InvalidDataException("body shorter than the aes128gcm header");
        }

        var salt = body[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        var keyIdLength = body[20];
        if (keyIdLength != 65 || body.Length < 21 + keyIdLength + 17)
        {
            throw new InvalidDataException($"key id of {keyIdLength} bytes, not the sender's 65-byte P-256 key");
        }

        var senderPoint = body[21..(21 + keyIdLength)];
        var record = body[(21 + keyIdLength)..];
        if (record.Length > recordSize)
        {
            throw new InvalidDataException($"a push is one record, but {record.Length} bytes exceed the record size {recordSize}");
        }

        using var sender = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = senderPoint[1..33], Y = senderPoint[33..65] },
        });
        var sharedSecret = receiver.DeriveRawSecretAgreement(sender.PublicKey);
        byte[] keyInfo = [.. "WebPush: info"u8, 0, .. PublicPoint(receiver), .. senderPoint];
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedSecret, 32, auth, keyInfo);
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var contentKey = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, [.. "Content-Encoding: aes128gcm"u8, 0]);
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, [.. "Content-Encoding: nonce"u8, 0]);

        // The first (and only) record's nonce is the derived one XOR 0.
        var plaintext = new byte[record.Length - 16];
        using (var aes = new AesGcm(contentKey, 16))
        {
            aes.Decrypt(nonce, record.AsSpan(0, plaintext.Length), record.AsSpan(plaintext.Length), plaintext);
        }

        var end = plaintext.Length;
        while (end > 0 && plaintext[end - 1] == 0)
        {
            end--;
        }

        if (end == 0 || plaintext[end - 1] != 2)
        {
            throw new InvalidDataException("no last-record delimiter (2) after the content");
        }

        var json = Encoding.UTF8.GetString(plaintext, 0, end - 1);
        using var _ = JsonDocument.Parse(json);
        return json;
    }

    private static byte[] PublicPoint(ECDiffieHellman key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    private static TaskCompletionSource CompletedRelease()
    {
        var released = new TaskCompletionSource();
        released.SetResult();
        return released;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
            // The listener's loop ends in whatever exception Stop makes GetContextAsync throw.
        }

        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _stop.Dispose();
    }

    private sealed record PlannedAnswer(HttpStatusCode Status, TimeSpan? RetryAfter);
}

/// <summary>A subscription as a browser hands it to the page: the endpoint, and its keys base64url.</summary>
public sealed record ReceiverSubscription(string Endpoint, string P256dh, string Auth);

/// <summary>
/// One request the receiver got: when, what it answered, what failed a check (null if none), and for
/// a valid push its decrypted JSON and the headers a push service acts on.
/// </summary>
public sealed record PushAttempt(
    string Endpoint,
    DateTimeOffset At,
    HttpStatusCode Status,
    string? Problem,
    string? Json,
    string? Urgency,
    string? Topic,
    int? Ttl)
{
    /// <summary>The urgency a push service applies: the header's, or <c>normal</c> without one (RFC 8030 section 5.3).</summary>
    public string EffectiveUrgency => Urgency ?? "normal";

    /// <summary>The pushed notification's <c>id</c>, from the decrypted JSON.</summary>
    public string? NotificationId => Json is null ? null : JsonDocument.Parse(Json).RootElement.GetProperty("id").GetString();
}
