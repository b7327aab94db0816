using Microsoft.AspNetCore.Http.Features;

namespace Vigil.Adapters.Http;

/// <summary>
/// The gateway's own bound on a streamed request body, in place of Kestrel's <c>MaxRequestBodySize</c>. Kestrel's
/// limit, once passed, leaves the body unreadable, so the connection is closed with the rest of the upload still
/// unread: the kernel then answers the client with a reset, and a client still sending loses the 413 it was about to
/// read. Counting here instead leaves Kestrel's body intact, so after the 413 is written Kestrel discards the rest of
/// the upload for its drain timeout (5 s) before it closes, and the client reads the answer (the lingering close of
/// RFC 9112 §9.6).
/// </summary>
public static class RequestBodyLimit
{
    /// <summary>Wraps <paramref name="request"/>'s body so a read past <paramref name="maxBytes"/> bytes throws.</summary>
    /// <remarks>The thrown <see cref="Microsoft.AspNetCore.Http.BadHttpRequestException"/> carries status 413, as Kestrel's own does.</remarks>
    public static void Apply(HttpRequest request, long maxBytes)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrel)
        {
            kestrel.MaxRequestBodySize = null;
        }
        request.Body = new CountingStream(request.Body, maxBytes);
    }

    private sealed class CountingStream(Stream inner, long maxBytes) : ReadOnlyStream
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _read += read;
            if (_read > maxBytes)
            {
                throw new Microsoft.AspNetCore.Http.BadHttpRequestException(
                    $"the request body is larger than the gateway's limit of {maxBytes} bytes", StatusCodes.Status413PayloadTooLarge);
            }
            return read;
        }
    }
}
