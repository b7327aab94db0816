using System.Buffers.Binary;
using System.Text;

namespace Vigil.Adapters.Http;

/// <summary>
/// The preset dictionary of the zlib stream that compresses SPDY/3 name/value header blocks (SPDY Protocol draft 3.1,
/// §2.6.10.1 Compression): common header names, each preceded by its length as a 32-bit big-endian number, then common
/// values as plain text. 1423 bytes, Adler-32 <c>0xE3C6A7C2</c> (the dictionary id in each such zlib stream's header).
/// </summary>
internal static class SpdyHeaderDictionary
{
    private static readonly string[] Names =
    [
        "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
        "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
        "content-base", "content-encoding", "content-language", "content-length", "content-location", "content-md5",
        "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match",
        "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
        "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after",
        "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
        "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie",
        "keep-alive", "origin",
    ];

    private const string Values =
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
        + "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
        + "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
        + "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
        + "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
        + "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

    /// <summary>The dictionary's bytes, for <c>Inflater.SetDictionary</c> and <c>Deflater.SetDictionary</c>.</summary>
    public static byte[] Bytes { get; } = Build();

    private static byte[] Build()
    {
        var bytes = new List<byte>();
        Span<byte> length = stackalloc byte[4];
        foreach (var name in Names)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, name.Length);
            bytes.AddRange(length);
            bytes.AddRange(Encoding.ASCII.GetBytes(name));
        }
        bytes.AddRange(Encoding.ASCII.GetBytes(Values));
        return [.. bytes];
    }
}
