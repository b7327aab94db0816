using System.Text;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Vigil.Analysis;
using Vigil.Connections;
using Vigil.Masking;
using Vigil.Pipeline;
using Vigil.Sessions.Terminal;
using Yarp.ReverseProxy.Forwarder;

namespace Vigil.Adapters.Http;

/// <summary>
/// The HTTP and Kubernetes adapter: <c>/proxy/{connection}/…</c> on the gateway's HTTP listener. Per request, in this
/// order: the raw target is checked (<see cref="ProxyTarget"/>, 400); the caller's token is read
/// (<see cref="ProxyCredentials"/>, 401); the request joins its token's session on the connection
/// (<see cref="ProxySessions"/>: access groups, mode <c>connect</c>, just-in-time access; 404/403); the body is bounded
/// (<see cref="ProxyLimits.MaxRequestBodyBytes"/>, 413) and its first bytes read; the request becomes one pipeline
/// <see cref="Command"/> (<see cref="ProxyCommand"/>, analyzed as <see cref="InputType.Http"/>) and is decided; a refusal
/// is answered by <see cref="ProxyReplies"/> (403); an allowed request is forwarded by YARP with the connection's
/// credentials (<see cref="UpstreamTransformer"/>), both bodies streaming, upgrades (WebSocket, SPDY) included, and
/// recorded as a <c>statement</c> event: the command text, <c>command_tag</c> <c>HTTP {status}</c>, <c>rows</c> the
/// response body's bytes, the duration, and the first bytes of the response as the result's one <c>body</c> value.
/// Kubernetes Secret values are redacted (<see cref="SecretRedaction"/>) for the client and the recording; when a
/// data masking rule reveals them to the client, the recording still has them redacted and the event carries a
/// <c>NOTICE</c> naming the rule.
/// A Kubernetes exec or attach (<see cref="KubernetesExec"/>) has its command decided as a shell command before the
/// request itself, and its upgraded stream recorded as a terminal (<see cref="ExecStreamTap"/>).
/// Policy is the pipeline's; this class only translates.
/// </summary>
public sealed partial class ProxyHandler(
    CommandPipeline pipeline, ProxySessions sessions, UpstreamClients clients, IHttpForwarder forwarder, ConnectionRepository connections,
    ProxyLimits limits, TerminalRecorder terminals, MaskingSet masking, ILogger<ProxyHandler> logger)
{
    /// <summary>Serves one request.</summary>
    public async Task InvokeAsync(HttpContext http)
    {
        if (http.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            // The upstream's empty 404 must reach the client as it is, not as the gateway's status page.
            pages.Enabled = false;
        }
        var cancellationToken = http.RequestAborted;
        var (target, invalid) = ProxyTarget.Parse(http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "");
        if (target is null)
        {
            await ProxyReplies.WriteAsync(http, null, 400, invalid!);
            return;
        }
        var token = ProxyCredentials.Read(http.Request);
        var caller = token is null ? null : await pipeline.IdentifyAsync(token, cancellationToken);
        if (caller is null)
        {
            await ProxyReplies.WriteAsync(http, null, 401, token is null
                ? "missing credentials: send your Vigil API token as Authorization: Bearer TOKEN (or as the Basic auth password)"
                : "invalid, expired or revoked token");
            return;
        }
        var address = http.Connection.RemoteIpAddress is { } ip ? $"{ip}:{http.Connection.RemotePort}" : null;
        var (lease, refusal) = await sessions.AcquireAsync(caller, target.Connection, address, cancellationToken);
        if (lease is null)
        {
            var type = (await connections.FindAsync(target.Connection, cancellationToken))?.Type;
            await (refusal switch
            {
                SessionRefusal.UnknownConnection => ProxyReplies.WriteAsync(http, null, 404, $"connection \"{target.Connection}\" does not exist"),
                SessionRefusal.Forbidden => ProxyReplies.WriteAsync(http, type, 403, $"permission denied for connection \"{target.Connection}\": {caller.Name} is not in its access groups"),
                SessionRefusal.ModeNotAllowed => ProxyReplies.WriteAsync(http, type, 403, $"connection \"{target.Connection}\" does not allow native clients (access mode 'connect')"),
                _ => ProxyReplies.WriteAsync(http, type, 403,
                    $"connection \"{target.Connection}\" requires just-in-time access: request it with vigil access request {target.Connection} --duration 1h --reason TEXT (POST /api/access-requests), then retry once it is approved"),
            });
            return;
        }
        using (lease)
        {
            await ServeAsync(http, target, lease.Session, cancellationToken);
        }
    }

    private async Task ServeAsync(HttpContext http, ProxyTarget target, SessionContext session, CancellationToken cancellationToken)
    {
        var connection = session.Connection;
        if (connection.Http is null)
        {
            await ProxyReplies.WriteAsync(http, null, 400, $"connection \"{connection.Name}\" is of type {connection.Type}; connect to it with its own protocol, not /proxy/");
            return;
        }
        var request = http.Request;
        if (request.ContentLength > limits.MaxRequestBodyBytes)
        {
            await ProxyReplies.WriteAsync(http, connection.Type, 413, $"the request body is larger than the gateway's limit of {limits.MaxRequestBodyBytes} bytes");
            return;
        }
        RequestBodyLimit.Apply(request, limits.MaxRequestBodyBytes);
        var started = pipeline.Time.GetTimestamp();
        RequestBodyWindow body;
        try
        {
            body = await RequestBodyWindow.ReadAsync(request, limits.AnalyzedBodyBytes, cancellationToken);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            await ProxyReplies.WriteAsync(http, connection.Type, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"the request body is larger than the gateway's limit of {limits.MaxRequestBodyBytes} bytes"
                : "bad request body: " + e.Message);
            return;
        }
        var command = new Command(session, ProxyCommand.Format(request.Method, target, body, request.ContentType, request.ContentLength), InputType: InputType.Http);
        // The gateway ending the session (token revoked, access withdrawn) aborts the request, upgraded streams included.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Terminated);
        // The command a Kubernetes exec runs is a shell command: decided as one first, before anything opens a stream.
        var exec = connection.Type == ConnectionTypes.Kubernetes ? KubernetesExec.Parse(target) : null;
        var decision = exec?.CommandLine is { } commandLine
            && await pipeline.DecideAsync(new Command(session, commandLine, InputType: InputType.Shell), stop.Token) is { Allowed: false } refusedCommand
            ? refusedCommand
            : await pipeline.DecideAsync(command, stop.Token);
        if (!decision.Allowed)
        {
            var message = decision.Detail is { Length: > 0 } detail ? $"{decision.Reason}: {detail}" : decision.Reason!;
            await ProxyReplies.WriteAsync(http, connection.Type, 403, message, decision.Review);
            return;
        }
        var run = pipeline.Start(command, decision.Analysis, started);
        body.Replay(request);
        var terminal = exec is null ? null : ExecStreamTap.Attach(http, terminals, session, exec);
        var keep = Math.Min(limits.RecordedResponseBytes, connection.RecordResultBytes);
        var tap = new ResponseTap(http.Response.Body, keep);
        http.Response.Body = tap;
        var streaming = IsStreaming(http, target);
        var config = new ForwarderRequestConfig { ActivityTimeout = streaming ? limits.StreamingActivity : limits.Activity };
        var error = ForwarderError.None;
        string? failure = null;
        var (secrets, revealedBy) = SecretRedaction.For(connection, target, masking);
        try
        {
            using var abort = stop.Token.Register(http.Abort);
            var transformer = new UpstreamTransformer(connection.Http, target, tap, secrets, run.Filtered ? run : null, limits.MaskingHoldBytes);
            error = await forwarder.SendAsync(http, connection.Http.Url, clients.For(connection), config, transformer, stop.Token);
            if (transformer.Refusal is { } refused)
            {
                failure = refused.Reason;
                if (http.Response.HasStarted)
                {
                    // Part of a watch went out; the rest must not: end the stream.
                    http.Abort();
                }
                else
                {
                    await ProxyReplies.WriteAsync(http, connection.Type, refused.Status, refused.Reason);
                }
            }
            else if (error != ForwarderError.None)
            {
                failure = Failure(http, error, session);
                LogForwardFailed(logger, connection.Name, error);
                if (!http.RequestAborted.IsCancellationRequested)
                {
                    await ProxyReplies.WriteAsync(http, connection.Type, FailureStatus(http, error), failure);
                }
            }
        }
        finally
        {
            // Counted as written: a watch the client ends mid-stream still says what it revealed.
            if (tap.Revealed is > 0 and var revealed)
            {
                run.Notice(new ResultNotice("NOTICE", null,
                    $"vigil: {revealed} Kubernetes Secret value{(revealed == 1 ? " was" : "s were")} revealed to the client by data masking rule '{revealedBy}'; the recording keeps them redacted",
                    null, null));
            }
            Record(run, http, tap, keep, failure);
            if (terminal is not null)
            {
                await terminal.CompleteAsync();
            }
        }
    }

    /// <summary>Feeds the response's kept prefix to the result chain and records the request.</summary>
    private void Record(CommandRun run, HttpContext http, ResponseTap tap, int keep, string? failure)
    {
        var status = http.Response.StatusCode;
        if (keep > 0 && tap.Bytes > 0)
        {
            var contentType = http.Response.ContentType;
            run.Columns([new ResultColumn("body", contentType ?? "")]);
            var kept = tap.Kept;
            var text = ProxyCommand.IsText(contentType) && kept.IndexOf((byte)0) < 0
                ? Encoding.UTF8.GetString(kept)
                : $"[{tap.Bytes} bytes of {contentType ?? "an unknown type"}]";
            if (Encoding.UTF8.GetByteCount(text) > keep)
            {
                // A multi-byte character cut at the end decodes to U+FFFD, which may not fit the budget.
                text = text[..^1];
            }
            run.Row(new ResultRow([text]));
        }
        var elapsed = pipeline.Time.GetElapsedTime(run.StartTimestamp);
        run.Complete(new CommandOutcome($"HTTP {status}", tap.Bytes, null, failure is null ? null : "vigil: " + failure, (long)elapsed.TotalMicroseconds));
    }

    /// <summary>Watches, followed logs and upgraded connections stay quiet for long stretches by design.</summary>
    private static bool IsStreaming(HttpContext http, ProxyTarget target) =>
        http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
        || target.Query.Contains("watch=true", StringComparison.OrdinalIgnoreCase) || target.Query.Contains("watch=1", StringComparison.Ordinal)
        || target.Query.Contains("follow=true", StringComparison.OrdinalIgnoreCase)
        || target.Path.Contains("/watch/", StringComparison.Ordinal);

    /// <summary>The status of a failed forward: 504 when the upstream went silent, 413 over the body limit, 400 for the client's own body, else 502.</summary>
    private static int FailureStatus(HttpContext http, ForwarderError error) =>
        error == ForwarderError.RequestTimedOut ? 504
        : BadRequest(http) is { StatusCode: var status } ? status
        : error == ForwarderError.RequestBodyClient ? 400
        : 502;

    private static string Failure(HttpContext http, ForwarderError error, SessionContext session)
    {
        if (session.TerminationReason is { } terminated)
        {
            return $"terminated by the gateway: {terminated}";
        }
        var what = error switch
        {
            ForwarderError.RequestTimedOut => "the upstream did not answer in time",
            ForwarderError.Request => "cannot reach the upstream",
            ForwarderError.RequestBodyClient => "the client's request body failed",
            ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination => "the upstream broke off the transfer",
            ForwarderError.ResponseBodyClient or ForwarderError.RequestCanceled => "the client went away",
            ForwarderError.ResponseBodyCanceled or ForwarderError.RequestBodyCanceled => "the transfer was cancelled",
            ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient => "the client broke off the upgraded connection",
            ForwarderError.UpgradeRequestDestination or ForwarderError.UpgradeResponseDestination => "the upstream broke off the upgraded connection",
            _ => "forwarding failed",
        };
        return BadRequest(http) is { StatusCode: 413 }
            ? "the request body is larger than the gateway's limit (found while it streamed)"
            : $"{what} ({error})";
    }

    /// <summary>Kestrel's verdict on the client's body (over the size limit, malformed chunks), wherever YARP wrapped it.</summary>
    private static Microsoft.AspNetCore.Http.BadHttpRequestException? BadRequest(HttpContext http)
    {
        for (var e = http.Features.Get<IForwarderErrorFeature>()?.Exception; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Http.BadHttpRequestException bad)
            {
                return bad;
            }
        }
        return null;
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "Forwarding on connection {Connection} failed: {Error}")]
    private static partial void LogForwardFailed(ILogger logger, string connection, ForwarderError error);
}
