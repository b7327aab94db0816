using Microsoft.AspNetCore.Http.Features;

namespace Vigil.Adapters.Http;

/// <summary>
/// The first bytes of a request body, read before the decision so they can be analyzed and recorded, and a stream
/// that replays them followed by the rest of the client's body, which is never held: YARP forwards it as it arrives.
/// </summary>
public sealed class RequestBodyWindow
{
    private RequestBodyWindow(byte[] prefix, int length, bool more)
    {
        Prefix = prefix;
        Length = length;
        HasMore = more;
    }

    /// <summary>Every byte read, replayed to the upstream: the window (<see cref="Length"/> bytes), plus one when <see cref="HasMore"/>.</summary>
    public byte[] Prefix { get; }

    /// <summary>How many bytes were read.</summary>
    public int Length { get; }

    /// <summary>True when the body goes on past the window.</summary>
    public bool HasMore { get; }

    /// <summary>Reads up to <paramref name="window"/> bytes of <paramref name="request"/>'s body (none when it can have none).</summary>
    /// <exception cref="Microsoft.AspNetCore.Http.BadHttpRequestException">The body is malformed or over the request's size limit.</exception>
    public static async Task<RequestBodyWindow> ReadAsync(HttpRequest request, int window, CancellationToken cancellationToken)
    {
        var detection = request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>();
        if (detection is { CanHaveBody: false } || request.ContentLength == 0)
        {
            return new RequestBodyWindow([], 0, false);
        }
        var buffer = new byte[request.ContentLength is { } length && length < window ? (int)length : window];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await request.Body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                // Replay sends all of Prefix: only what was read.
                return new RequestBodyWindow(filled == buffer.Length ? buffer : buffer[..filled], filled, false);
            }
            filled += read;
        }
        // A full window: the body may go on; one more read tells (and is replayed too).
        var probe = new byte[1];
        var extra = await request.Body.ReadAsync(probe, cancellationToken);
        if (extra == 0)
        {
            return new RequestBodyWindow(buffer, filled, false);
        }
        var grown = new byte[filled + 1];
        buffer.AsSpan(0, filled).CopyTo(grown);
        grown[filled] = probe[0];
        return new RequestBodyWindow(grown, filled, true);
    }

    /// <summary>Sets <paramref name="request"/>'s body to the window followed by the unread rest.</summary>
    public void Replay(HttpRequest request)
    {
        if (Prefix.Length > 0)
        {
            request.Body = new ReplayStream(Prefix, request.Body);
        }
    }

    /// <summary>Reads a held prefix, then the inner stream.</summary>
    private sealed class ReplayStream(byte[] prefix, Stream inner) : ReadOnlyStream
    {
        private int _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < prefix.Length)
            {
                var count = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsMemory(_position, count).CopyTo(buffer);
                _position += count;
                return count;
            }
            return await inner.ReadAsync(buffer, cancellationToken);
        }
    }
}
