using System.Buffers.Binary;
using System.Text;

namespace Vigil.Ssh.Protocol;

/// <summary>
/// Reads the RFC 4251 §5 data types (byte, boolean, uint32, uint64, string, mpint, name-list) from a message
/// payload. Every read checks bounds and throws <see cref="SshProtocolException"/> naming the message, never
/// another exception type.
/// </summary>
internal ref struct SshReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _message;
    private int _position;

    /// <summary>Creates a reader over <paramref name="data"/>.</summary>
    /// <param name="data">The payload (message number included, if any).</param>
    /// <param name="message">RFC message name for error texts, e.g. <c>SSH_MSG_KEXINIT</c>.</param>
    public SshReader(ReadOnlySpan<byte> data, string message)
    {
        _data = data;
        _message = message;
        _position = 0;
    }

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Reads one byte.</summary>
    public byte ReadByte()
    {
        Need(1, "byte");
        return _data[_position++];
    }

    /// <summary>Reads a boolean (any non-zero byte is true, RFC 4251 §5).</summary>
    public bool ReadBoolean() => ReadByte() != 0;

    /// <summary>Reads a big-endian uint32.</summary>
    public uint ReadUInt32()
    {
        Need(4, "uint32");
        var value = BinaryPrimitives.ReadUInt32BigEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    /// <summary>Reads <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Need(count, "bytes");
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    /// <summary>Reads a string (uint32 length + bytes) as raw bytes.</summary>
    public ReadOnlySpan<byte> ReadBinaryString()
    {
        var length = ReadUInt32();
        if (length > (uint)Remaining)
        {
            throw SshProtocolException.Malformed(_message, $"string length {length} exceeds the {Remaining} bytes left");
        }

        return ReadBytes((int)length);
    }

    /// <summary>Reads a string as UTF-8 text (RFC 4251 §5: user names, passwords, commands are ISO-10646 UTF-8).</summary>
    public string ReadString()
    {
        var bytes = ReadBinaryString();
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw SshProtocolException.Malformed(_message, "string is not valid UTF-8");
        }
    }

    /// <summary>Reads a name-list (RFC 4251 §5): comma-separated US-ASCII names, none empty.</summary>
    public string[] ReadNameList()
    {
        var text = ReadString();
        if (text.Length == 0)
        {
            return [];
        }

        var names = text.Split(',');
        if (Array.Exists(names, n => n.Length == 0 || n.Length > 64 || !n.All(c => c > ' ' && c < 127)))
        {
            throw SshProtocolException.Malformed(_message, "name-list has an empty, too long or non-ASCII name");
        }

        return names;
    }

    /// <summary>Reads an mpint (RFC 4251 §5) as unsigned big-endian magnitude without leading zeros; negative values are refused.</summary>
    public ReadOnlySpan<byte> ReadMpintUnsigned()
    {
        var bytes = ReadBinaryString();
        if (bytes.Length > 0 && (bytes[0] & 0x80) != 0)
        {
            throw SshProtocolException.Malformed(_message, "negative mpint");
        }

        while (bytes.Length > 0 && bytes[0] == 0)
        {
            bytes = bytes[1..];
        }

        return bytes;
    }

    /// <summary>Throws unless every byte was read.</summary>
    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw SshProtocolException.Malformed(_message, $"{Remaining} unexpected trailing bytes");
        }
    }

    private static readonly UTF8Encoding Strict = new(false, true);

    private readonly void Need(int count, string what)
    {
        if (count < 0 || count > Remaining)
        {
            throw SshProtocolException.Malformed(_message, $"truncated {what}");
        }
    }
}
