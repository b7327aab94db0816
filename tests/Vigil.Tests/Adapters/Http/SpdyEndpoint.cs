using System.Buffers.Binary;
using System.Text;
using ICSharpCode.SharpZipLib.Zip.Compression;
using Vigil.Adapters.Http;

namespace Vigil.Tests.Adapters.Http;

/// <summary>A SPDY/3 frame as read: control (type) or data (stream id), its flags and payload.</summary>
internal sealed record SpdyFrame(bool Control, int Type, int StreamId, byte Flags, byte[] Payload)
{
    public const int SynStream = 1, SynReply = 2, Ping = 6, Headers = 8, WindowUpdate = 9;
    public const byte Fin = 0x01;
}

/// <summary>
/// The server side of a SPDY/3.1 connection as the tests speak it (SPDY Protocol draft 3.1 §2.2 frames, §2.6.10
/// name/value header blocks in a zlib stream with the SPDY dictionary, one per direction for the connection): builds
/// the frames it sends (its own <see cref="Deflater"/>) and reads the peer's (its own <see cref="Inflater"/>). Written
/// from the spec with SharpZipLib, not with the gateway's observer, so each checks the other; kubectl checks both.
/// </summary>
internal sealed class SpdyEndpoint
{
    // Stored, not compressed: a flush then ends with an empty stored block (what zlib's Z_SYNC_FLUSH writes), the only
    // point at which Go's zlib reader hands over what it has; at other levels SharpZipLib's flush writes empty fixed
    // blocks instead and kubectl's reader fails on the next header block.
    private readonly Deflater _deflater = new(Deflater.NO_COMPRESSION);
    private readonly Inflater _inflater = new();

    public SpdyEndpoint() => _deflater.SetDictionary(SpdyHeaderDictionary.Bytes);

    /// <summary>SYN_REPLY (§2.6.2) accepting stream <paramref name="id"/>, with no headers (as the kubelet replies).</summary>
    public byte[] SynReply(int id)
    {
        var block = EmptyHeaderBlock();
        var payload = new byte[4 + block.Length];
        BinaryPrimitives.WriteInt32BigEndian(payload, id);
        block.CopyTo(payload, 4);
        return Control(SpdyFrame.SynReply, 0, payload);
    }

    /// <summary>A data frame (§2.2.2) on stream <paramref name="id"/>; <paramref name="fin"/> half-closes it.</summary>
    public static byte[] Data(int id, ReadOnlySpan<byte> data, bool fin = false)
    {
        var frame = new byte[8 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, id);
        frame[4] = fin ? SpdyFrame.Fin : (byte)0;
        WriteLength(frame, data.Length);
        data.CopyTo(frame.AsSpan(8));
        return frame;
    }

    public static byte[] Data(int id, string text, bool fin = false) => Data(id, Encoding.UTF8.GetBytes(text), fin);

    /// <summary>A control frame (§2.2.1) of <paramref name="type"/>, version 3.</summary>
    public static byte[] Control(int type, byte flags, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, 0x8003);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)type);
        frame[4] = flags;
        WriteLength(frame, payload.Length);
        payload.CopyTo(frame.AsSpan(8));
        return frame;
    }

    /// <summary>Reads the next frame; null at the end of the stream.</summary>
    public static async Task<SpdyFrame?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[8];
        try
        {
            await stream.ReadExactlyAsync(header, cancellationToken);
            var payload = new byte[(header[5] << 16) | (header[6] << 8) | header[7]];
            await stream.ReadExactlyAsync(payload, cancellationToken);
            var control = (header[0] & 0x80) != 0;
            return control
                ? new SpdyFrame(true, BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2)), payload.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(payload) & 0x7fffffff : 0, header[4], payload)
                : new SpdyFrame(false, 0, BinaryPrimitives.ReadInt32BigEndian(header) & 0x7fffffff, header[4], payload);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The name/value header block of a SYN_STREAM, SYN_REPLY or HEADERS frame the peer sent, inflated in order.</summary>
    public Dictionary<string, string> HeadersOf(SpdyFrame frame)
    {
        var block = frame.Payload.AsSpan(frame.Type == SpdyFrame.SynStream ? 10 : 4).ToArray();
        _inflater.SetInput(block);
        var inflated = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var n = _inflater.Inflate(buffer);
            if (n > 0)
            {
                inflated.Write(buffer, 0, n);
            }
            else if (_inflater.IsNeedingDictionary)
            {
                _inflater.SetDictionary(SpdyHeaderDictionary.Bytes);
            }
            else
            {
                break;
            }
        }
        var bytes = inflated.ToArray().AsSpan();
        var headers = new Dictionary<string, string>();
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes);
        bytes = bytes[4..];
        for (var i = 0; i < count; i++)
        {
            var name = Field(ref bytes);
            headers[name] = Field(ref bytes);
        }
        return headers;
    }

    private static string Field(ref Span<byte> bytes)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(bytes);
        var text = Encoding.UTF8.GetString(bytes.Slice(4, length));
        bytes = bytes[(4 + length)..];
        return text;
    }

    /// <summary>An empty header block (§2.6.10: a count of 0), compressed and flushed so the peer can read it now.</summary>
    private byte[] EmptyHeaderBlock()
    {
        _deflater.SetInput(new byte[4]);
        _deflater.Flush();
        var compressed = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = _deflater.Deflate(buffer)) > 0)
        {
            compressed.Write(buffer, 0, n);
        }
        return compressed.ToArray();
    }

    private static void WriteLength(byte[] frame, int length)
    {
        frame[5] = (byte)(length >> 16);
        frame[6] = (byte)(length >> 8);
        frame[7] = (byte)length;
    }
}
