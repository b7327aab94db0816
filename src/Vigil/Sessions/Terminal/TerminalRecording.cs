using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Pipeline;

namespace Vigil.Sessions.Terminal;

/// <summary>
/// The recording of one terminal stream of a session, in asciicast v2 form
/// (<see href="https://docs.asciinema.org/manual/asciicast/v2/"/>): events <c>[seconds, "o", data]</c> (what the target
/// printed), <c>[seconds, "i", data]</c> (what the client typed) and <c>[seconds, "r", "COLSxROWS"]</c> (a resize), with
/// seconds since <see cref="TerminalRecorder.Start"/> on the recorder's monotonic clock. Created by
/// <see cref="TerminalRecorder.Start"/>; the adapter feeds it the raw bytes of each direction as they pass (it copies
/// what it needs and never holds the caller's buffer) and calls <see cref="CompleteAsync"/> when the stream ends.
/// <para>
/// Bytes are decoded as UTF-8 per direction, keeping a sequence split across two writes whole (an invalid sequence
/// becomes U+FFFD). Consecutive writes of one direction within <see cref="TerminalOptions.FlushWindow"/> become one
/// event at the time of the first; blocks of events go to the session recorder (asynchronous, batched, durable like
/// other session events). When the connection has masking rules, output is masked before it is recorded; the last word
/// of a block is held back (at most 256 characters, for at most a second) so a value split across two blocks is still seen whole.
/// Past <see cref="TerminalOptions.MaxBytes"/> the recording is marked truncated and only counts bytes.
/// </para>
/// Thread-safe: input and output may be fed from different threads. Calls after <see cref="CompleteAsync"/> are ignored.
/// </summary>
public sealed class TerminalRecording : IAsyncDisposable
{
    /// <summary>Longest trailing fragment held back for masking, characters.</summary>
    private const int MaxHeldBack = 256;

    /// <summary>Longest time a held-back fragment waits for the rest of its value before it is recorded as it is.</summary>
    private static readonly TimeSpan MaxHoldTime = TimeSpan.FromSeconds(1);

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly object _gate = new();
    private readonly SessionRecorder _recorder;
    private readonly TerminalOptions _options;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly IResultFilter? _mask;
    private readonly Decoder _outputDecoder = Utf8.GetDecoder();
    private readonly Decoder _inputDecoder = Utf8.GetDecoder();
    private readonly StringBuilder _lines = new();
    private readonly StringBuilder _data = new();
    private readonly ITimer _timer;
    private char _kind;
    private double _at;
    private string? _held;
    private double _heldAt;
    private double _heldSince;
    private bool _armed;
    private bool _dirty;
    private bool _completed;
    private int _seq;
    private long _bytes;
    private long _recorded;
    private double _last;

    internal TerminalRecording(
        string sessionId, string id, SessionRecorder recorder, TerminalOptions options, TimeProvider time, IResultFilter? mask)
    {
        SessionId = sessionId;
        Id = id;
        _recorder = recorder;
        _options = options;
        _time = time;
        _mask = mask;
        _startTimestamp = time.GetTimestamp();
        _timer = time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The session the stream belongs to.</summary>
    public string SessionId { get; }

    /// <summary>The recording's id (a GUID string; <c>session_terminals.id</c>).</summary>
    public string Id { get; }

    /// <summary>Bytes of input and output fed so far, including any past the cap.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>True once the recording reached <see cref="TerminalOptions.MaxBytes"/> and dropped events.</summary>
    public bool Truncated { get; private set; }

    /// <summary>Records bytes the target wrote to the terminal (stdout and stderr): an <c>"o"</c> event.</summary>
    public void Output(ReadOnlySpan<byte> data) => Feed('o', _outputDecoder, data);

    /// <summary>Records bytes the client sent to the terminal (keystrokes, pastes): an <c>"i"</c> event.</summary>
    public void Input(ReadOnlySpan<byte> data) => Feed('i', _inputDecoder, data);

    /// <summary>Records a terminal resize to <paramref name="width"/> columns by <paramref name="height"/> rows: an <c>"r"</c> event.</summary>
    public void Resize(int width, int height)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }
            EndEvent(holdBack: false);
            EmitHeld();
            AddLine(Now(), 'r', string.Create(CultureInfo.InvariantCulture, $"{width}x{height}"));
            Arm();
        }
    }

    /// <summary>
    /// Ends the recording: writes what is pending (a dangling partial UTF-8 sequence as U+FFFD) and completes once it is
    /// on disk. Later feeds are ignored; a second call only waits for the disk.
    /// </summary>
    public Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_completed)
            {
                Append('o', Drain(_outputDecoder, [], flush: true));
                Append('i', Drain(_inputDecoder, [], flush: true));
                Flush(holdBack: false);
                _completed = true;
                _timer.Dispose();
                _mask?.OnComplete();
            }
        }
        return _recorder.FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await CompleteAsync();

    private void Feed(char kind, Decoder decoder, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }
            _bytes += data.Length;
            _dirty = true;
            Append(kind, Drain(decoder, data, flush: false));
        }
    }

    private static string Drain(Decoder decoder, ReadOnlySpan<byte> data, bool flush)
    {
        // Decoded even when no character is complete yet: a sequence's first byte alone must still enter the decoder.
        return Decode(decoder, data, decoder.GetCharCount(data, flush), flush);
    }

    private static string Decode(Decoder decoder, ReadOnlySpan<byte> data, int count, bool flush)
    {
        var chars = count <= 1024 ? stackalloc char[count] : new char[count];
        var written = decoder.GetChars(data, chars, flush);
        return new string(chars[..written]);
    }

    private void Append(char kind, string text)
    {
        if (text.Length == 0)
        {
            return;
        }
        if (_kind != kind)
        {
            EndEvent(holdBack: false);
            _at = Now();
            _kind = kind;
            if (kind == 'o' && _held is not null)
            {
                // The held-back fragment continues in this event: it keeps its own time.
                _data.Append(_held);
                _at = _heldAt;
                _held = null;
            }
            else
            {
                EmitHeld();
            }
        }
        _data.Append(text);
        if (_lines.Length + _data.Length >= _options.FlushBytes)
        {
            Flush(holdBack: true);
        }
        else
        {
            Arm();
        }
    }

    /// <summary>Turns the event being gathered into a line; output is masked first (the tail held back when asked).</summary>
    private void EndEvent(bool holdBack)
    {
        if (_kind == '\0')
        {
            return;
        }
        var text = _data.ToString();
        _data.Clear();
        var kind = _kind;
        _kind = '\0';
        if (kind == 'o' && _mask is not null)
        {
            if (holdBack)
            {
                var cut = TailStart(text);
                if (cut < text.Length)
                {
                    _held = text[cut..];
                    _heldAt = _at;
                    _heldSince = Now();
                    text = text[..cut];
                }
            }
            if (text.Length == 0)
            {
                return;
            }
            text = Mask(text);
        }
        AddLine(_at, kind, text);
    }

    /// <summary>Where the last word of <paramref name="text"/> starts (its length when it ends in a separator or the word is too long to hold).</summary>
    private static int TailStart(string text)
    {
        var i = text.Length;
        while (i > 0 && text[i - 1] > ' ' && text.Length - i < MaxHeldBack)
        {
            i--;
        }
        return i > 0 && text[i - 1] > ' ' ? text.Length : i;
    }

    private void EmitHeld()
    {
        if (_held is null)
        {
            return;
        }
        var held = _held;
        _held = null;
        AddLine(_heldAt, 'o', Mask(held));
    }

    private string Mask(string text)
    {
        if (_mask is null)
        {
            return text;
        }
        var piece = new ResultText(text);
        _mask.OnText(piece);
        return piece.Text;
    }

    private void AddLine(double at, char kind, string data)
    {
        if (Truncated)
        {
            return;
        }
        var line = string.Create(CultureInfo.InvariantCulture, $"[{at:0.000000}, \"{kind}\", {JsonSerializer.Serialize(data, Json)}]\n");
        var size = Encoding.UTF8.GetByteCount(line);
        if (_recorded + size > _options.MaxBytes)
        {
            Truncated = true;
            _dirty = true;
            return;
        }
        _recorded += size;
        _last = Math.Max(_last, at);
        _lines.Append(line);
        _dirty = true;
    }

    /// <summary>Sends the gathered lines and the running totals to the recorder.</summary>
    private void Flush(bool holdBack)
    {
        if (holdBack && _held is not null && Now() - _heldSince >= MaxHoldTime.TotalSeconds)
        {
            // Nothing followed for a while: the value is complete as it is.
            EmitHeld();
        }
        EndEvent(holdBack);
        if (!holdBack)
        {
            EmitHeld();
        }
        if (_held is not null)
        {
            Arm();
        }
        if (!_dirty)
        {
            return;
        }
        _dirty = false;
        var events = _lines.ToString();
        _lines.Clear();
        _recorder.Append(new TerminalBlock(SessionId, Id, events.Length > 0 ? ++_seq : _seq, events, _bytes, _recorded, Truncated, _last));
    }

    private void Arm()
    {
        if (!_armed)
        {
            _armed = true;
            _timer.Change(_options.FlushWindow, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _armed = false;
            if (!_completed)
            {
                Flush(holdBack: true);
            }
        }
    }

    private double Now()
    {
        var now = _time.GetElapsedTime(_startTimestamp).TotalSeconds;
        return Math.Max(now, _last);
    }
}
