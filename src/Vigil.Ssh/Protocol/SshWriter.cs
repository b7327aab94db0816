using System.Buffers.Binary;
using System.Text;

namespace Vigil.Ssh.Protocol;

/// <summary>Writes the RFC 4251 §5 data types into a growable buffer (message payloads, exchange-hash input, key blobs).</summary>
internal sealed class SshWriter
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with an initial capacity.</summary>
    public SshWriter(int capacity = 256) => _buffer = new byte[Math.Max(capacity, 16)];

    /// <summary>Creates a writer whose payload starts with the message number.</summary>
    public static SshWriter Message(byte number, int capacity = 256)
    {
        var writer = new SshWriter(capacity);
        writer.WriteByte(number);
        return writer;
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The written bytes (valid until the next write).</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>The written bytes as memory (valid until the next write).</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <summary>A copy of the written bytes.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Writes one byte.</summary>
    public SshWriter WriteByte(byte value)
    {
        Grow(1)[0] = value;
        return this;
    }

    /// <summary>Writes a boolean as 0 or 1.</summary>
    public SshWriter WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a big-endian uint32.</summary>
    public SshWriter WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Grow(4), value);
        return this;
    }

    /// <summary>Writes raw bytes without a length.</summary>
    public SshWriter WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Grow(bytes.Length));
        return this;
    }

    /// <summary>Writes a string: uint32 length then the bytes.</summary>
    public SshWriter WriteBinaryString(ReadOnlySpan<byte> bytes)
    {
        WriteUInt32((uint)bytes.Length);
        return WriteBytes(bytes);
    }

    /// <summary>Writes a UTF-8 string.</summary>
    public SshWriter WriteString(string text)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        WriteUInt32((uint)count);
        Encoding.UTF8.GetBytes(text, Grow(count));
        return this;
    }

    /// <summary>Writes a name-list (comma-joined).</summary>
    public SshWriter WriteNameList(IEnumerable<string> names) => WriteString(string.Join(',', names));

    /// <summary>Writes an unsigned big-endian magnitude as an mpint: leading zeros stripped, a 0 byte prepended when the top bit is set.</summary>
    public SshWriter WriteMpint(ReadOnlySpan<byte> unsignedBigEndian)
    {
        while (unsignedBigEndian.Length > 0 && unsignedBigEndian[0] == 0)
        {
            unsignedBigEndian = unsignedBigEndian[1..];
        }

        var pad = unsignedBigEndian.Length > 0 && (unsignedBigEndian[0] & 0x80) != 0;
        WriteUInt32((uint)(unsignedBigEndian.Length + (pad ? 1 : 0)));
        if (pad)
        {
            WriteByte(0);
        }

        return WriteBytes(unsignedBigEndian);
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
