using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Copy;

/// <summary>
/// Splits the CopyData stream of a textual <c>COPY … TO STDOUT</c> (PostgreSQL 15 docs §55.2.6 and COPY "File
/// Formats") into complete rows, whatever the CopyData boundaries: PostgreSQL sends one row per CopyData, but a row
/// may arrive in several messages and a message may hold several rows. A row ends at a newline; in text format every
/// newline ends a row (a newline in data is written <c>\n</c>), in CSV a newline inside quotes is data. Use:
/// <code>
/// splitter.Append(copyDataBody);
/// while (splitter.TryReadRow(out var row)) { mask row's fields with row.GetValue / row.SetValue; row.WriteCopyData(client); }
/// // at CopyDone:
/// if (splitter.TryComplete(out var last)) { … }
/// </code>
/// Memory is bounded: the bytes of one incomplete row are held up to <c>maxRowLength</c>; a longer row throws
/// <see cref="PostgresProtocolException"/>, so the caller fails closed (ends the result with an error) instead of
/// forwarding a row it cannot scan. PostgreSQL itself caps a COPY row at 1 GiB, so the default (64 MiB) is a policy, not a
/// protocol limit. Not thread-safe.
/// </summary>
public sealed class CopyRowSplitter
{
    /// <summary>Default cap on one row's length: 64 MiB (the proxy's default maximum message size).</summary>
    public const int DefaultMaxRowLength = MessageReader.DefaultMaxMessageSize;

    private readonly CopyOptions _options;
    private readonly int _maxRowLength;
    private readonly CopyRow _row;
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private int _scan;
    private bool _inQuotes;
    private bool _afterEscape;

    /// <summary>Creates a splitter for one COPY's data.</summary>
    /// <param name="options">The COPY's format and options.</param>
    /// <param name="encoding">The session's client_encoding (<see cref="Types.PostgresText.ForClientEncoding"/>).</param>
    /// <param name="maxRowLength">Longest row accepted, in bytes.</param>
    public CopyRowSplitter(CopyOptions options, Encoding encoding, int maxRowLength = DefaultMaxRowLength)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRowLength, 1);
        _options = options;
        _maxRowLength = maxRowLength;
        _row = new CopyRow(options, encoding);
    }

    /// <summary>Bytes held for rows not read yet.</summary>
    public int Buffered => _end - _start;

    /// <summary>Appends the body of one CopyData message (copied; the caller's buffer may be released).</summary>
    /// <param name="data">The CopyData body, without its 5-byte header.</param>
    public void Append(ReadOnlySequence<byte> data)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _scan -= _start;
            _start = 0;
        }

        var needed = _end + data.Length;
        if (needed > Array.MaxLength)
        {
            throw new PostgresProtocolException($"COPY data of {needed} bytes pending exceeds the buffer limit");
        }

        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _buffer.Length)));
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += (int)data.Length;
    }

    /// <summary>Reads the next complete row.</summary>
    /// <param name="row">The row, valid until the next <see cref="Append"/> or <see cref="TryReadRow"/>.</param>
    /// <returns><see langword="false"/> when no complete row is buffered.</returns>
    /// <exception cref="PostgresProtocolException">The incomplete row is longer than the limit.</exception>
    public bool TryReadRow([NotNullWhen(true)] out CopyRow? row)
    {
        var end = FindRowEnd();
        if (end < 0)
        {
            row = null;
            if (_end - _start > _maxRowLength)
            {
                throw new PostgresProtocolException($"COPY row longer than {_maxRowLength} bytes: it cannot be scanned, so it is not forwarded");
            }

            return false;
        }

        _row.Reset(_buffer.AsMemory(_start, end + 1 - _start));
        _start = _scan = end + 1;
        row = _row;
        return true;
    }

    /// <summary>
    /// At CopyDone: returns the bytes after the last newline as a final row (PostgreSQL always ends the data with a
    /// newline, so normally there is none).
    /// </summary>
    /// <param name="row">The unterminated last row.</param>
    /// <returns><see langword="false"/> when nothing is left.</returns>
    /// <exception cref="PostgresProtocolException">A CSV quoted field is still open.</exception>
    public bool TryComplete([NotNullWhen(true)] out CopyRow? row)
    {
        row = null;
        if (TryReadRow(out var complete))
        {
            row = complete;
            return true;
        }

        if (_end == _start)
        {
            return false;
        }

        if (_inQuotes)
        {
            throw new PostgresProtocolException("COPY data ended inside a quoted CSV field");
        }

        _row.Reset(_buffer.AsMemory(_start, _end - _start));
        _start = _scan = _end;
        row = _row;
        return true;
    }

    /// <summary>Index of the newline ending the row at <see cref="_start"/>, or -1; scanning resumes where it stopped.</summary>
    private int FindRowEnd()
    {
        if (_options.Format == CopyFormat.Text)
        {
            var found = _buffer.AsSpan(_scan, _end - _scan).IndexOf((byte)'\n');
            _scan = found < 0 ? _end : _scan + found;
            return found < 0 ? -1 : _scan;
        }

        // CSV (copyfromparse.c CopyReadLineText): a quote toggles the quoted state; inside quotes an escape that
        // differs from the quote makes the next byte literal (a doubled quote simply toggles twice).
        var span = _buffer.AsSpan(0, _end);
        for (; _scan < _end; _scan++)
        {
            var c = span[_scan];
            if (_afterEscape)
            {
                _afterEscape = false;
            }
            else if (_inQuotes && c == _options.Escape && _options.Escape != _options.Quote)
            {
                _afterEscape = true;
            }
            else if (c == _options.Quote)
            {
                _inQuotes = !_inQuotes;
            }
            else if (c == (byte)'\n' && !_inQuotes)
            {
                return _scan;
            }
        }

        return -1;
    }
}
