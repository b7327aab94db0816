using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil login</c>, <c>vigil logout</c> and <c>vigil whoami</c>. A login ends with an API token stored by
/// <see cref="CredentialStore"/>: with <c>--email</c> a local password login (<c>POST /api/localauth/login</c>)
/// whose browser session mints a 30-day token (<c>POST /api/tokens</c> with the session cookie and
/// <c>X-CSRF-Token</c>); without it, when the gateway offers single sign-on, the browser flow through
/// <c>GET /api/login?redirect=</c> and a <see cref="LoopbackCallback"/>.
/// </summary>
public static class LoginCommand
{
    /// <summary>The line that carries the browser login URL (tests and scripts read it).</summary>
    public const string UrlPrefix = "Open this URL to log in: ";

    /// <summary>How long the browser login may take.</summary>
    public static readonly TimeSpan BrowserTimeout = TimeSpan.FromMinutes(5);

    private const string SessionCookie = "vigil_session";
    private const string CsrfHeader = "X-CSRF-Token";

    /// <summary>Builds <c>vigil login</c>.</summary>
    public static Command Create()
    {
        var gateway = new Option<string?>("--gateway") { Description = "Gateway URL (default: VIGIL_GATEWAY_URL, the stored login's, or http://127.0.0.1:8009)" };
        var email = new Option<string?>("--email") { Description = "Log in with this e-mail and its local password instead of single sign-on" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of stdin" };
        var noBrowser = new Option<bool>("--no-browser") { Description = "Do not open a browser; only print the login URL" };
        var command = new Command("login", "Log in and store an API token for the other verbs") { gateway, email, passwordStdin, noBrowser };
        command.Validators.Add(result =>
        {
            if (result.GetValue(passwordStdin) && result.GetValue(email) is null)
            {
                result.AddError("--password-stdin needs --email");
            }
        });
        command.SetAction((parse, ct) => RunAsync(() => LoginAsync(
            parse.GetValue(gateway), parse.GetValue(email), parse.GetValue(passwordStdin), parse.GetValue(noBrowser), ct)));
        return command;
    }

    /// <summary>Builds <c>vigil logout</c>.</summary>
    public static Command CreateLogout()
    {
        var gateway = new Option<string?>("--gateway") { Description = "Only log out of this gateway" };
        var command = new Command("logout", "Revoke and delete the stored login") { gateway };
        command.SetAction((parse, ct) => RunAsync(() => LogoutAsync(parse.GetValue(gateway), ct)));
        return command;
    }

    /// <summary>Builds <c>vigil whoami</c>.</summary>
    public static Command CreateWhoami()
    {
        var json = CliFormat.JsonOption();
        var command = new Command("whoami", "Show who the gateway takes you for") { json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var info = await client.SendAsync(HttpMethod.Get, "api/userinfo", null, ct);
            if (parse.GetValue(json) || info is not JsonObject obj)
            {
                CliOutput.Json(info);
                return 0;
            }
            var shown = (JsonObject)obj.DeepClone();
            shown["gateway"] = client.GatewayUrl;
            shown["credentials"] = client.Source == TokenSource.Environment ? "VIGIL_TOKEN" : CredentialStore.FilePath;
            CliFormat.Record(shown);
            return 0;
        }));
        return command;
    }

    private static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"vigil: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> LoginAsync(string? gatewayOption, string? email, bool passwordStdin, bool noBrowser, CancellationToken cancellationToken)
    {
        StoredCredentials? stored = null;
        try
        {
            stored = CredentialStore.Load();
        }
        catch (CliException)
        {
            // A damaged file is replaced by this login.
        }
        var url = GatewayClient.NormalizeUrl(gatewayOption ?? Env("VIGIL_GATEWAY_URL") ?? stored?.GatewayUrl ?? GatewayClient.DefaultUrl);
        using var anonymous = new GatewayClient(url, token: null, cookies: false);
        string token;
        if (email is null)
        {
            var methods = await anonymous.SendAsync(HttpMethod.Get, "api/auth/methods", null, cancellationToken);
            if (Flag(methods?["oidc"]))
            {
                try
                {
                    token = await BrowserLoginAsync(anonymous, noBrowser, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    await Console.Error.WriteLineAsync("vigil: login cancelled");
                    return 130;
                }
                return await FinishAsync(url, token, null, cancellationToken);
            }
            if (methods?["local"] is not null && !Flag(methods["local"]))
            {
                throw new CliException($"{url} offers no login method the command line can use; set VIGIL_TOKEN to an API token");
            }
            if (Console.IsInputRedirected)
            {
                throw new CliException($"{url} has no single sign-on: pass --email (and --password-stdin to read the password from stdin)");
            }
            email = CliFormat.Prompt("Email: ");
            if (email.Length == 0)
            {
                throw new CliException("no e-mail given");
            }
        }
        token = await PasswordLoginAsync(anonymous, email, passwordStdin, cancellationToken);
        return await FinishAsync(url, token, email, cancellationToken);
    }

    /// <summary>Checks <paramref name="token"/> with <c>GET /api/userinfo</c>, stores it and says who is logged in.</summary>
    private static async Task<int> FinishAsync(string url, string token, string? email, CancellationToken cancellationToken)
    {
        JsonNode? info;
        using (var client = new GatewayClient(url, token))
        {
            try
            {
                info = await client.SendAsync(HttpMethod.Get, "api/userinfo", null, cancellationToken);
            }
            catch (CliException e)
            {
                throw new CliException($"the gateway refused the token from the login: {e.Message}");
            }
        }
        var who = Field(info, "email") ?? email ?? Field(info, "name") ?? "?";
        var path = CredentialStore.Save(new StoredCredentials(url, token, Field(info, "email") ?? email));
        var name = Field(info, "name") is { } n && n != who ? $" ({n})" : "";
        Console.WriteLine($"Logged in to {url} as {who}{name}.");
        await Console.Error.WriteLineAsync($"Token stored in {path}.");
        if (Env("VIGIL_TOKEN") is not null)
        {
            await Console.Error.WriteLineAsync("Note: VIGIL_TOKEN is set and takes precedence over the stored token; unset it to use this login.");
        }
        return 0;
    }

    private static async Task<string> PasswordLoginAsync(GatewayClient anonymous, string email, bool passwordStdin, CancellationToken cancellationToken)
    {
        var password = await CliFormat.ReadPasswordAsync(passwordStdin, $"Password for {email}: ", cancellationToken);
        JsonNode? login;
        System.Net.Http.Headers.HttpResponseHeaders headers;
        try
        {
            (login, headers) = await anonymous.SendWithHeadersAsync(HttpMethod.Post, "api/localauth/login", new { email, password }, cancellationToken);
        }
        catch (CliException e)
        {
            throw new CliException($"login failed: {e.Message}");
        }
        var cookies = headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';', 2)[0].Trim()).Where(c => c.Contains('=', StringComparison.Ordinal)).ToList()
            : [];
        if (!cookies.Any(c => c.StartsWith(SessionCookie + "=", StringComparison.Ordinal)))
        {
            throw new CliException($"the gateway answered the login without a {SessionCookie} cookie");
        }
        var csrf = Field(login, "csrf_token") ?? throw new CliException("the gateway answered the login without a csrf_token");

        // The browser session is only used to mint the API token the CLI keeps; the cookie is sent by hand so
        // that its attributes (Secure behind a TLS-terminating proxy, domain) cannot keep it from the next request.
        using var session = new GatewayClient(anonymous.GatewayUrl, token: null, cookies: false);
        session.DefaultHeaders.Add("Cookie", string.Join("; ", cookies));
        session.DefaultHeaders.Add(CsrfHeader, csrf);
        var created = await session.SendAsync(HttpMethod.Post, "api/tokens",
            new { name = $"vigil-cli@{HostName()}", expires_in = "30d" }, cancellationToken);
        var token = Field(created, "token") ?? throw new CliException("the gateway created a token but did not return its secret");
        try
        {
            // The session has done its job; end it rather than leave it valid until it expires.
            await session.SendAsync(HttpMethod.Post, "api/localauth/logout", null, cancellationToken);
        }
        catch (CliException)
        {
            // Best effort: the session expires on its own.
        }
        return token;
    }

    private static async Task<string> BrowserLoginAsync(GatewayClient anonymous, bool noBrowser, CancellationToken cancellationToken)
    {
        await using var callback = await LoopbackCallback.StartAsync(cancellationToken);
        var start = await anonymous.SendAsync(HttpMethod.Get, $"api/login?redirect={Uri.EscapeDataString(callback.RedirectUri)}", null, cancellationToken);
        var loginUrl = Field(start, "login_url") ?? throw new CliException("the gateway did not return a login_url");
        if (Uri.TryCreate(anonymous.BaseAddress, loginUrl, out var absolute))
        {
            loginUrl = absolute.AbsoluteUri;
        }
        Console.WriteLine(UrlPrefix + loginUrl);
        if (!noBrowser && !await Browser.TryOpenAsync(loginUrl, cancellationToken))
        {
            await Console.Error.WriteLineAsync("Could not open a browser: open the URL above in one.");
        }
        await Console.Error.WriteLineAsync($"Waiting for the login to finish in the browser (up to {BrowserTimeout.TotalMinutes:0} minutes; Ctrl-C cancels)...");
        var result = await callback.WaitAsync(BrowserTimeout, cancellationToken);
        if (result.Token is null)
        {
            callback.Complete(false, $"Login failed: {result.Error}.");
            throw new CliException($"login failed: {result.Error}");
        }
        try
        {
            using var client = new GatewayClient(anonymous.GatewayUrl, result.Token);
            await client.SendAsync(HttpMethod.Get, "api/userinfo", null, cancellationToken);
        }
        catch (CliException e)
        {
            callback.Complete(false, "The gateway refused the token it issued.");
            throw new CliException($"the gateway refused the token from the browser login: {e.Message}");
        }
        callback.Complete(true, "You are logged in to Vigil.");
        return result.Token;
    }

    private static async Task<int> LogoutAsync(string? gatewayOption, CancellationToken cancellationToken)
    {
        StoredCredentials? stored;
        try
        {
            stored = CredentialStore.Load();
        }
        catch (CliException)
        {
            CredentialStore.Delete();
            Console.WriteLine("Deleted the unreadable stored login.");
            return 0;
        }
        var target = gatewayOption ?? Env("VIGIL_GATEWAY_URL") ?? stored?.GatewayUrl;
        if (stored is null || (target is not null && !GatewayClient.SameGateway(target, stored.GatewayUrl)))
        {
            Console.WriteLine(stored is null ? "Not logged in." : $"Not logged in to {GatewayClient.NormalizeUrl(target!)} (the stored login is for {stored.GatewayUrl}).");
            return 0;
        }
        var revoked = await TryRevokeAsync(stored, cancellationToken);
        CredentialStore.Delete();
        Console.WriteLine($"Logged out of {stored.GatewayUrl}{(revoked ? " (token revoked)" : "")}.");
        return 0;
    }

    /// <summary>Revokes the stored token on its gateway (best effort: logging out must work offline too).</summary>
    private static async Task<bool> TryRevokeAsync(StoredCredentials stored, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            using var client = new GatewayClient(stored.GatewayUrl, stored.Token);
            var info = await client.SendAsync(HttpMethod.Get, "api/userinfo", null, timeout.Token);
            if (Field(info, "token_id") is not { } id)
            {
                return false;
            }
            await client.SendAsync(HttpMethod.Delete, $"api/tokens/{Uri.EscapeDataString(id)}", null, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is CliException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"warning: the token could not be revoked on the gateway ({(e is CliException ? e.Message : "timed out")}); it stays valid until it expires");
            return false;
        }
    }

    private static string HostName()
    {
        try
        {
            return Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return Environment.MachineName;
        }
    }

    private static bool Flag(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static string? Field(JsonNode? node, string name) =>
        node?[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
