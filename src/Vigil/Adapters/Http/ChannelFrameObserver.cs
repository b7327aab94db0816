using System.Buffers.Binary;
using Vigil.Sessions.Terminal;

namespace Vigil.Adapters.Http;

/// <summary>
/// Reads one direction of a Kubernetes remote-command WebSocket (<c>v5.channel.k8s.io</c> down to
/// <c>channel.k8s.io</c>) as it passes, without holding it: RFC 6455 §5.2 frames (client frames masked, §5.3), and in
/// each binary message the Kubernetes channel byte first — 0 stdin, 1 stdout, 2 stderr, 3 error (a Status), 4 resize
/// (<c>{"Width":W,"Height":H}</c>), 255 close (v5) — then its data. stdin goes to the recording as input, stdout and
/// stderr as output, resizes as resizes; the error channel, control frames and text frames (the
/// <c>base64.channel.k8s.io</c> variants) are not recorded. Malformed framing stops the observation, never the stream.
/// </summary>
internal sealed class ChannelFrameObserver(TerminalRecording recording) : IExecStreamObserver
{
    private const byte Stdin = 0, Stdout = 1, Stderr = 2, Resize = 4;

    private readonly byte[] _header = new byte[14];
    private readonly byte[] _mask = new byte[4];
    private readonly byte[] _resize = new byte[TerminalSizeMessage.MaxLength];
    private int _headerLength;
    private int _headerNeeded = 2;
    private long _remaining;
    private bool _inPayload;
    private bool _masked;
    private int _maskAt;
    private bool _control;
    private bool _fin;
    private bool _binary;
    private int _channel = -1;
    private int _resizeLength;
    private bool _broken;

    /// <inheritdoc />
    public void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !_broken)
        {
            if (!_inPayload)
            {
                var take = Math.Min(_headerNeeded - _headerLength, data.Length);
                data[..take].CopyTo(_header.AsSpan(_headerLength));
                _headerLength += take;
                data = data[take..];
                if (_headerLength == 2)
                {
                    var length7 = _header[1] & 0x7f;
                    _headerNeeded = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((_header[1] & 0x80) != 0 ? 4 : 0);
                }
                if (_headerLength == _headerNeeded)
                {
                    StartFrame();
                }
                continue;
            }
            var n = (int)Math.Min(_remaining, data.Length);
            if (!_control && _binary)
            {
                Payload(data[..n]);
            }
            _remaining -= n;
            data = data[n..];
            if (_remaining == 0)
            {
                EndFrame();
            }
        }
    }

    private void StartFrame()
    {
        var opcode = _header[0] & 0x0f;
        _fin = (_header[0] & 0x80) != 0;
        _masked = (_header[1] & 0x80) != 0;
        var length7 = _header[1] & 0x7f;
        var at = 2;
        _remaining = length7 switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)),
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)),
            _ => length7,
        };
        at += length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        if (_remaining < 0)
        {
            _broken = true;
            return;
        }
        if (_masked)
        {
            _header.AsSpan(at, 4).CopyTo(_mask);
        }
        _maskAt = 0;
        _control = opcode >= 8;
        if (opcode is 1 or 2)
        {
            _binary = opcode == 2;
            _channel = -1;
            _resizeLength = 0;
        }
        _inPayload = true;
        if (_remaining == 0)
        {
            EndFrame();
        }
    }

    private void EndFrame()
    {
        _inPayload = false;
        _headerLength = 0;
        _headerNeeded = 2;
        if (_fin && !_control && _binary && _channel == Resize)
        {
            TerminalSizeMessage.Record(recording, _resize.AsSpan(0, _resizeLength));
        }
    }

    private void Payload(ReadOnlySpan<byte> data)
    {
        Span<byte> plain = stackalloc byte[1024];
        while (!data.IsEmpty)
        {
            var n = Math.Min(plain.Length, data.Length);
            for (var i = 0; i < n; i++)
            {
                plain[i] = _masked ? (byte)(data[i] ^ _mask[_maskAt++ & 3]) : data[i];
            }
            Deliver(plain[..n]);
            data = data[n..];
        }
    }

    private void Deliver(ReadOnlySpan<byte> data)
    {
        if (_channel < 0 && !data.IsEmpty)
        {
            _channel = data[0];
            data = data[1..];
        }
        switch (_channel)
        {
            case Stdin:
                recording.Input(data);
                break;
            case Stdout or Stderr:
                recording.Output(data);
                break;
            case Resize:
                var n = Math.Min(data.Length, TerminalSizeMessage.MaxLength - _resizeLength);
                data[..n].CopyTo(_resize.AsSpan(_resizeLength));
                _resizeLength += n;
                break;
        }
    }
}
