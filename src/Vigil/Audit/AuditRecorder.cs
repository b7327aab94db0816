using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Vigil.Hosting;
using Vigil.Identity.Authentication;

namespace Vigil.Audit;

/// <summary>
/// Endpoint filter of the authenticated <c>/api</c> group, added before <see cref="ApiAuthentication"/> so it also
/// sees the 401s and 403s that filter answers. Every state-changing request (<c>POST</c>, <c>PUT</c>, <c>PATCH</c>,
/// <c>DELETE</c>; <see cref="ApiAuthentication.IsStateChanging"/>) gets one <see cref="AuditEntry"/>: the caller (or
/// <see cref="Anonymous"/>), the <see cref="AuditTarget"/>, <c>success</c> for a 2xx status else <c>failure</c>, the
/// remote IP address, and the first 16 KiB of the body redacted by <see cref="AuditRedaction"/>. Headers are never
/// stored. The entry is written before the response is sent and even when the endpoint throws (then as a 500, or the
/// status of a <see cref="BadHttpRequestException"/>), and the exception is rethrown. An endpoint whose request went
/// through but whose action did not (a connectivity test that could not reach its target) says so with
/// <see cref="Annotate"/>.
/// </summary>
public sealed partial class AuditRecorder(AuditLog log, TimeProvider time, ILogger<AuditRecorder> logger) : IEndpointFilter
{
    /// <summary>The actor recorded for a request that did not authenticate.</summary>
    public const string Anonymous = "anonymous";

    private static readonly object NoteKey = new();

    private sealed record Note(bool Succeeded, object Result);

    /// <summary>
    /// Sets what the audit entry of <paramref name="http"/>'s request records beyond its status: with
    /// <paramref name="succeeded"/> false its outcome is <c>failure</c> even though the status is 2xx, and
    /// <paramref name="result"/> (serialized as the API's JSON and redacted like a body) is kept as its request (the
    /// body of an action that sends none).
    /// </summary>
    public static void Annotate(HttpContext http, bool succeeded, object result) => http.Items[NoteKey] = new Note(succeeded, result);

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!ApiAuthentication.IsStateChanging(http.Request.Method))
        {
            return await next(context);
        }
        var at = time.GetUtcNow();
        var target = AuditTarget.Of(http);
        string? request = null;
        object? result;
        try
        {
            request = await ReadBodyAsync(context, http.RequestAborted);
            result = await next(context);
        }
        catch (Exception e)
        {
            var status = e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            try
            {
                await AppendAsync(http, at, target, request, status, null);
            }
            catch (Exception appendError)
            {
                LogAppendFailed(logger, http.Request.Method, target.ResourceType, appendError);
            }
            throw;
        }
        await AppendAsync(http, at, target, request, StatusOf(result, http), result);
        return result;
    }

    private async Task AppendAsync(HttpContext http, DateTimeOffset at, AuditTarget target, string? request, int status, object? result)
    {
        var caller = ApiAuthentication.TryCaller(http);
        if (caller is null && status == StatusCodes.Status401Unauthorized)
        {
            // Writes refused for want of credentials are recorded without their body: anyone can send them, so what
            // they carry is neither trustworthy nor something the log should store on a stranger's behalf.
            request = null;
        }
        var success = status is >= 200 and <= 299;
        if (http.Items[NoteKey] is Note note)
        {
            success &= note.Succeeded;
            var json = JsonSerializer.SerializeToUtf8Bytes(note.Result, note.Result.GetType(), Api.Json);
            request = AuditRedaction.Redact(json, json.Length);
        }
        var resource = target.Resource
            ?? (success ? AuditTarget.FromResult(Unwrap(result)) : null)
            ?? AuditTarget.FromRequest(request);
        var entry = new AuditEntry(
            at, caller?.UserId, caller?.Name ?? Anonymous, target.Action, target.ResourceType, resource,
            success ? AuditLog.Success : AuditLog.Failure, status, InternalRequests.ClientIp(http), request);
        // Not the request's token: a change that went through is recorded even when the client has gone away.
        await log.AppendAsync(entry, CancellationToken.None);
    }

    /// <summary>
    /// The redacted body. Buffering is turned on and the stream rewound, so the endpoint still reads the whole body.
    /// When parameter binding already consumed the body (a minimal-API body parameter), the bound object is
    /// serialized instead.
    /// </summary>
    private static async Task<string?> ReadBodyAsync(EndpointFilterInvocationContext context, CancellationToken cancellationToken)
    {
        var request = context.HttpContext.Request;
        if (context.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false } || request.ContentLength == 0)
        {
            return null;
        }
        request.EnableBuffering();
        var start = request.Body.Position;
        request.Body.Position = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(AuditRedaction.MaxBodyBytes + 1);
        try
        {
            var read = 0;
            int n;
            while (read <= AuditRedaction.MaxBodyBytes && (n = await request.Body.ReadAsync(buffer.AsMemory(read, AuditRedaction.MaxBodyBytes + 1 - read), cancellationToken)) > 0)
            {
                read += n;
            }
            long length = read;
            if (read > AuditRedaction.MaxBodyBytes)
            {
                length = request.ContentLength ?? await CountRestAsync(request.Body, read, cancellationToken);
            }
            request.Body.Position = start;
            if (read == 0)
            {
                return BoundBody(context);
            }
            return AuditRedaction.Redact(buffer.AsSpan(0, Math.Min(read, AuditRedaction.MaxBodyBytes)), length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<long> CountRestAsync(Stream body, long read, CancellationToken cancellationToken)
    {
        var scratch = new byte[16 * 1024];
        int n;
        while ((n = await body.ReadAsync(scratch, cancellationToken)) > 0)
        {
            read += n;
        }
        return read;
    }

    private static string? BoundBody(EndpointFilterInvocationContext context)
    {
        var type = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        if (type is null)
        {
            return null;
        }
        foreach (var argument in context.Arguments)
        {
            if (argument is not null && type.IsInstanceOfType(argument))
            {
                var json = JsonSerializer.SerializeToUtf8Bytes(argument, argument.GetType(), Api.Json);
                return AuditRedaction.Redact(json, json.Length);
            }
        }
        return null;
    }

    /// <summary>The status the result will answer: its own, else the response's (400 after a failed parameter binding, else 200).</summary>
    private static int StatusOf(object? result, HttpContext http) =>
        Unwrap(result) is IStatusCodeHttpResult { StatusCode: { } status } ? status : http.Response.StatusCode;

    private static object? Unwrap(object? result)
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }
        return result;
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "Audit record of a failed {Method} on {ResourceType} could not be written")]
    private static partial void LogAppendFailed(ILogger logger, string method, string resourceType, Exception exception);
}
