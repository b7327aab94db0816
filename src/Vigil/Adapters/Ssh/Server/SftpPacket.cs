using System.Buffers.Binary;
using System.Text;

namespace Vigil.Adapters.Ssh.Server;

/// <summary>
/// SFTP version 3 framing and the requests the gateway reads (draft-ietf-secsh-filexfer-02, the version OpenSSH
/// speaks): every packet is <c>uint32 length, byte type, payload</c>; requests after SSH_FXP_INIT carry a
/// <c>uint32 request-id</c> first. Packets longer than <see cref="MaxLength"/> (OpenSSH's own limit, 256 KiB) are a
/// protocol error.
/// </summary>
internal static class SftpPacket
{
    /// <summary>Largest packet accepted, bytes after the length field (OpenSSH's SFTP_MAX_MSG_LENGTH).</summary>
    public const int MaxLength = 256 * 1024;

    public const byte Open = 3, SetStat = 9, Remove = 13, MakeDirectory = 14, RemoveDirectory = 15, Rename = 18, Symlink = 20, Status = 101, Extended = 200;

    /// <summary>SSH_FX_PERMISSION_DENIED (§7).</summary>
    public const uint PermissionDenied = 3;

    /// <summary>SSH_FXF_* open flags that modify the file (§6.3): WRITE, APPEND, CREAT, TRUNC.</summary>
    private const uint Writes = 0x02 | 0x04 | 0x08 | 0x10;

    /// <summary>Reads one packet (length field included) from <paramref name="stream"/>; null at the end of the stream.</summary>
    /// <exception cref="InvalidDataException">The packet is longer than <see cref="MaxLength"/>, empty, or cut short.</exception>
    public static async Task<byte[]?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        var got = await stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken);
        if (got == 0)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (got < 4 || length is 0 or > MaxLength)
        {
            throw new InvalidDataException($"SFTP packet of {length} bytes refused (1 to {MaxLength} allowed)");
        }
        var packet = new byte[4 + length];
        header.CopyTo(packet, 0);
        await stream.ReadExactlyAsync(packet.AsMemory(4), cancellationToken);
        return packet;
    }

    /// <summary>
    /// The file operation a request performs, as the text the pipeline analyzes and the recording keeps
    /// (<c>sftp open read PATH</c>, <c>sftp open write PATH</c>, <c>sftp remove PATH</c>, <c>sftp rename FROM TO</c>,
    /// <c>sftp mkdir</c>, <c>sftp rmdir</c>, <c>sftp setstat</c>, <c>sftp symlink</c>, <c>sftp posix-rename</c>,
    /// <c>sftp hardlink</c>), or null for requests that only read metadata or move data on an open handle.
    /// </summary>
    public static string? Operation(ReadOnlySpan<byte> packet)
    {
        var reader = new Reader(packet[5..]);
        if (!reader.TryUInt32(out _))
        {
            return null;
        }
        return packet[4] switch
        {
            Open when reader.TryString(out var path) && reader.TryUInt32(out var flags) => $"sftp open {((flags & Writes) != 0 ? "write" : "read")} {path}",
            Remove when reader.TryString(out var path) => $"sftp remove {path}",
            Rename when reader.TryString(out var from) && reader.TryString(out var to) => $"sftp rename {from} {to}",
            MakeDirectory when reader.TryString(out var path) => $"sftp mkdir {path}",
            RemoveDirectory when reader.TryString(out var path) => $"sftp rmdir {path}",
            SetStat when reader.TryString(out var path) => $"sftp setstat {path}",
            Symlink when reader.TryString(out var a) && reader.TryString(out var b) => $"sftp symlink {a} {b}",
            Extended when reader.TryString(out var name) && name is "posix-rename@openssh.com" or "hardlink@openssh.com"
                && reader.TryString(out var from) && reader.TryString(out var to) => $"sftp {name[..name.IndexOf('@')]} {from} {to}",
            _ => null,
        };
    }

    /// <summary>The request id of a request packet (after SSH_FXP_INIT).</summary>
    public static uint RequestId(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt32BigEndian(packet[5..]);

    /// <summary>An SSH_FXP_STATUS reply (§7) to <paramref name="requestId"/> with <paramref name="code"/> and <paramref name="message"/>.</summary>
    public static byte[] StatusReply(uint requestId, uint code, string message)
    {
        var text = Encoding.UTF8.GetBytes(message);
        var packet = new byte[4 + 1 + 4 + 4 + 4 + text.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(packet.Length - 4));
        packet[4] = Status;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(5), requestId);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(9), code);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(13), (uint)text.Length);
        text.CopyTo(packet, 17);
        return packet; // the language tag is the empty string already there
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public bool TryUInt32(out uint value)
        {
            value = 0;
            if (_rest.Length < 4)
            {
                return false;
            }
            value = BinaryPrimitives.ReadUInt32BigEndian(_rest);
            _rest = _rest[4..];
            return true;
        }

        public bool TryString(out string value)
        {
            value = "";
            if (!TryUInt32(out var length) || length > (uint)_rest.Length)
            {
                return false;
            }
            value = Encoding.UTF8.GetString(_rest[..(int)length]);
            _rest = _rest[(int)length..];
            return true;
        }
    }
}
