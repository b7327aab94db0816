using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using ICSharpCode.SharpZipLib.Zip.Compression;
using Vigil.Sessions.Terminal;

namespace Vigil.Adapters.Http;

/// <summary>
/// Reads one direction of a Kubernetes remote-command SPDY/3.1 connection (<c>Upgrade: SPDY/3.1</c>, what kubectl
/// before 1.31 and with <c>KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false</c> uses) as it passes, without holding it. SPDY
/// Protocol draft 3.1 §2.2: each frame is an 8-byte header and a payload; a control frame (first bit set) carries
/// version 3, a type, flags and a 24-bit length; a data frame a 31-bit stream id, flags and a 24-bit length. The client
/// opens one stream per channel with a SYN_STREAM (§2.6.1) whose name/value header block (§2.6.10: a 32-bit count, then
/// 32-bit-length-prefixed names and values; zlib-compressed with <see cref="SpdyHeaderDictionary"/>, one zlib stream
/// per direction for the whole connection) names the channel in <c>streamtype</c>: <c>stdin</c>, <c>stdout</c>,
/// <c>stderr</c>, <c>error</c> or <c>resize</c> (k8s.io/apimachinery httpstream). The data frames of stdin go to the
/// recording as input, of stdout and stderr as output, each newline-ended <c>{"Width":W,"Height":H}</c> of resize as a
/// resize; the error stream (the final Status) and the other control frames are not recorded (SYN_REPLY and HEADERS
/// blocks are inflated all the same, to keep the zlib stream in step). Both directions of a connection share which
/// stream is which (<see cref="ForConnection"/>): the client names the streams, and the server's stdout comes back on
/// them. Malformed framing or compression stops the observation, never the stream.
/// </summary>
internal sealed class SpdyFrameObserver : IExecStreamObserver
{
    private const int HeaderLength = 8;
    private const int SynStream = 1, SynReply = 2, Headers = 8;
    private const int MaxHeaderBlock = 16 * 1024;
    // kubectl opens five streams at most (error, stdin, stdout, stderr, resize): more is not a terminal to record.
    private const int MaxStreams = 16;

    private readonly TerminalRecording _recording;
    private readonly ConcurrentDictionary<int, Channel> _streams;
    private readonly byte[] _header = new byte[HeaderLength];
    private readonly byte[] _prefix = new byte[10];
    private readonly byte[] _resize = new byte[TerminalSizeMessage.MaxLength];
    private int _headerLength;
    private int _remaining;
    private bool _inPayload;
    private bool _control;
    private Channel _channel;
    private int _prefixNeeded;
    private int _prefixLength;
    private bool _namesStream;
    private Inflater? _inflater;
    private byte[]? _compressed;
    private byte[]? _inflated;
    private byte[] _block = [];
    private int _blockLength;
    private bool _blockTooLong;
    private int _resizeLength;
    private bool _resizeTooLong;
    private bool _broken;

    private SpdyFrameObserver(TerminalRecording recording, ConcurrentDictionary<int, Channel> streams)
    {
        _recording = recording;
        _streams = streams;
    }

    /// <summary>The observers of one connection's two directions, recording into <paramref name="recording"/>.</summary>
    public static (SpdyFrameObserver FromClient, SpdyFrameObserver ToClient) ForConnection(TerminalRecording recording)
    {
        var streams = new ConcurrentDictionary<int, Channel>();
        return (new SpdyFrameObserver(recording, streams), new SpdyFrameObserver(recording, streams));
    }

    /// <inheritdoc />
    public void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !_broken)
        {
            if (!_inPayload)
            {
                var take = Math.Min(HeaderLength - _headerLength, data.Length);
                data[..take].CopyTo(_header.AsSpan(_headerLength));
                _headerLength += take;
                data = data[take..];
                if (_headerLength == HeaderLength)
                {
                    StartFrame();
                }
                continue;
            }
            var n = Math.Min(_remaining, data.Length);
            Payload(data[..n]);
            _remaining -= n;
            data = data[n..];
            if (_remaining == 0 && !_broken)
            {
                EndFrame();
            }
        }
    }

    private void StartFrame()
    {
        _headerLength = 0;
        _remaining = (_header[5] << 16) | (_header[6] << 8) | _header[7];
        _control = (_header[0] & 0x80) != 0;
        if (_control)
        {
            var version = BinaryPrimitives.ReadUInt16BigEndian(_header) & 0x7fff;
            var type = BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2));
            // The fixed fields before a header block: stream id, and for SYN_STREAM the associated id, priority and slot.
            _prefixNeeded = type switch { SynStream => 10, SynReply or Headers => 4, _ => 0 };
            if (version != 3 || _remaining < _prefixNeeded)
            {
                _broken = true;
                return;
            }
            _namesStream = type == SynStream;
            _prefixLength = 0;
            _blockLength = 0;
            _blockTooLong = false;
        }
        else
        {
            _channel = _streams.GetValueOrDefault(StreamId(_header));
        }
        _inPayload = true;
        if (_remaining == 0)
        {
            EndFrame();
        }
    }

    private void Payload(ReadOnlySpan<byte> data)
    {
        if (!_control)
        {
            Deliver(data);
            return;
        }
        if (_prefixNeeded == 0)
        {
            return;
        }
        var take = Math.Min(_prefixNeeded - _prefixLength, data.Length);
        data[..take].CopyTo(_prefix.AsSpan(_prefixLength));
        _prefixLength += take;
        Inflate(data[take..]);
    }

    private void EndFrame()
    {
        _inPayload = false;
        if (_control && _namesStream && _blockLength > 0 && !_blockTooLong)
        {
            var channel = StreamType(_block.AsSpan(0, _blockLength));
            if (channel is not Channel.None && _streams.Count < MaxStreams)
            {
                _streams[StreamId(_prefix)] = channel;
            }
        }
    }

    private static int StreamId(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt32BigEndian(bytes) & 0x7fffffff;

    /// <summary>Feeds the connection's zlib stream the next compressed bytes of a header block.</summary>
    private void Inflate(ReadOnlySpan<byte> compressed)
    {
        _inflater ??= new Inflater();
        _compressed ??= new byte[4096];
        _inflated ??= new byte[4096];
        try
        {
            while (!compressed.IsEmpty)
            {
                // The inflater reads from the array it is given until it needs input again: a copy it owns meanwhile.
                var n = Math.Min(_compressed.Length, compressed.Length);
                compressed[..n].CopyTo(_compressed);
                compressed = compressed[n..];
                _inflater.SetInput(_compressed, 0, n);
                while (true)
                {
                    var produced = _inflater.Inflate(_inflated);
                    if (produced > 0)
                    {
                        Keep(_inflated.AsSpan(0, produced));
                    }
                    else if (_inflater.IsNeedingDictionary)
                    {
                        _inflater.SetDictionary(SpdyHeaderDictionary.Bytes);
                    }
                    else if (_inflater.IsNeedingInput && !_inflater.IsFinished)
                    {
                        break;
                    }
                    else
                    {
                        // Stuck or ended: these bytes are not SPDY's endless header stream.
                        _broken = true;
                        return;
                    }
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The inflater is third-party code fed whatever the peer sends: what it throws ends the observation only.
            _broken = true;
        }
    }

    /// <summary>Keeps a SYN_STREAM's inflated header block (bounded); the other blocks are only inflated.</summary>
    private void Keep(ReadOnlySpan<byte> inflated)
    {
        if (!_namesStream || _blockTooLong)
        {
            return;
        }
        if (_blockLength + inflated.Length > MaxHeaderBlock)
        {
            _blockTooLong = true;
            return;
        }
        if (_blockLength + inflated.Length > _block.Length)
        {
            Array.Resize(ref _block, Math.Min(MaxHeaderBlock, Math.Max(256, (_blockLength + inflated.Length) * 2)));
        }
        inflated.CopyTo(_block.AsSpan(_blockLength));
        _blockLength += inflated.Length;
    }

    /// <summary>The channel a header block's <c>streamtype</c> names; a malformed block stops the observation.</summary>
    private Channel StreamType(ReadOnlySpan<byte> block)
    {
        if (block.Length < 4)
        {
            _broken = true;
            return Channel.None;
        }
        var count = BinaryPrimitives.ReadUInt32BigEndian(block);
        block = block[4..];
        var channel = Channel.None;
        for (var i = 0u; i < count; i++)
        {
            if (!Field(ref block, out var name) || !Field(ref block, out var value))
            {
                _broken = true;
                return Channel.None;
            }
            if (Ascii.EqualsIgnoreCase(name, "streamtype"u8))
            {
                channel = value switch
                {
                    _ when value.SequenceEqual("stdin"u8) => Channel.Input,
                    _ when value.SequenceEqual("stdout"u8) || value.SequenceEqual("stderr"u8) => Channel.Output,
                    _ when value.SequenceEqual("resize"u8) => Channel.Resize,
                    _ => Channel.None,
                };
            }
        }
        return channel;
    }

    /// <summary>Reads one 32-bit-length-prefixed name or value off the front of <paramref name="block"/>.</summary>
    private static bool Field(ref ReadOnlySpan<byte> block, out ReadOnlySpan<byte> field)
    {
        field = default;
        if (block.Length < 4)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(block);
        if (length > (uint)(block.Length - 4))
        {
            return false;
        }
        field = block.Slice(4, (int)length);
        block = block[(4 + (int)length)..];
        return true;
    }

    private void Deliver(ReadOnlySpan<byte> data)
    {
        switch (_channel)
        {
            case Channel.Input:
                _recording.Input(data);
                break;
            case Channel.Output:
                _recording.Output(data);
                break;
            case Channel.Resize:
                Resized(data);
                break;
        }
    }

    /// <summary>The resize stream is a sequence of JSON sizes, each ended by a newline (Go's json.Encoder).</summary>
    private void Resized(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var end = data.IndexOf((byte)'\n');
            var part = end < 0 ? data : data[..end];
            if (_resizeLength + part.Length <= _resize.Length)
            {
                part.CopyTo(_resize.AsSpan(_resizeLength));
                _resizeLength += part.Length;
            }
            else
            {
                _resizeTooLong = true;
            }
            if (end < 0)
            {
                return;
            }
            if (!_resizeTooLong)
            {
                TerminalSizeMessage.Record(_recording, _resize.AsSpan(0, _resizeLength));
            }
            _resizeLength = 0;
            _resizeTooLong = false;
            data = data[(end + 1)..];
        }
    }

    /// <summary>What a stream carries, as far as the recording goes.</summary>
    private enum Channel
    {
        /// <summary>Not recorded: the error stream, an unknown or unnamed stream.</summary>
        None,

        /// <summary>stdin: recorded as input.</summary>
        Input,

        /// <summary>stdout or stderr: recorded as output.</summary>
        Output,

        /// <summary>resize: each size recorded as a resize.</summary>
        Resize,
    }
}
