using System.Text;

namespace Vigil.Adapters.Terminal;

/// <summary>
/// The echo model: the line the cursor is on, as a terminal would show it after the target's output (UTF-8), one cell
/// per character. It follows what a line editor such as GNU readline emits to redraw its line: printable characters
/// (overwriting), CR, BS, LF (a new, empty line) and the ECMA-48 / xterm controls <c>CSI n C</c> / <c>D</c> (cursor
/// right / left), <c>CSI n G</c> (column), <c>CSI n K</c> (erase in line), <c>CSI n P</c> (delete characters),
/// <c>CSI n @</c> (insert blanks) and <c>CSI n X</c> (erase characters). SGR and other CSI sequences, OSC strings (window
/// titles) and other escapes are skipped. It also tracks the DEC private modes that tell what is reading the keyboard:
/// 2004 (bracketed paste: readline turns it on while it reads a command line and off while a command runs) and
/// 1049/1047/47 (the alternate screen of full-screen programs such as vim or less). Cursor up/down (a line longer than
/// the terminal, redrawn across rows) sets <see cref="MultiRow"/>: the model then no longer knows the whole line.
/// A sequence split across two writes is kept whole (the parser's state carries over).
/// </summary>
internal sealed class ScreenLine
{
    /// <summary>Longest line kept, characters; output beyond it on one line is dropped from the model.</summary>
    public const int MaxLength = 64 * 1024;

    private const int MaxParameters = 32;

    private readonly StringBuilder _cells = new();
    private readonly Decoder _utf8 = new UTF8Encoding(false, false).GetDecoder();
    private readonly List<int> _parameters = [];
    private State _state;
    private bool _private;
    private int _parameter = -1;

    private enum State
    {
        Text,
        Escape,
        Csi,
        Osc,
        OscEscape,
        EscapeIntermediate,
    }

    /// <summary>The cursor's column (0-based).</summary>
    public int Cursor { get; private set; }

    /// <summary>True while bracketed paste mode is on (readline is reading a line); null until the target set it either way.</summary>
    public bool? BracketedPaste { get; private set; }

    /// <summary>True while the alternate screen is on (a full-screen program).</summary>
    public bool AlternateScreen { get; private set; }

    /// <summary>True when the cursor moved up or down since the last line feed (a wrapped line redrawn across rows).</summary>
    public bool MultiRow { get; private set; }

    /// <summary>The line's text (trailing blanks included).</summary>
    public string Text => _cells.ToString();

    /// <summary>The line's text before the cursor.</summary>
    public string BeforeCursor => _cells.ToString(0, Math.Min(Cursor, _cells.Length));

    /// <summary>Applies output bytes of the target.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        Span<char> chars = stackalloc char[512];
        while (!data.IsEmpty)
        {
            var take = Math.Min(data.Length, 256);
            _utf8.Convert(data[..take], chars, flush: false, out var used, out var written, out _);
            for (var i = 0; i < written; i++)
            {
                Apply(chars[i]);
            }
            data = data[used..];
        }
    }

    private void Apply(char c)
    {
        switch (_state)
        {
            case State.Text:
                Printed(c);
                break;
            case State.Escape:
                _state = c switch
                {
                    '[' => State.Csi,
                    ']' => State.Osc,
                    >= ' ' and <= '/' => State.EscapeIntermediate,
                    _ => State.Text,
                };
                if (_state == State.Csi)
                {
                    _parameters.Clear();
                    _parameter = -1;
                    _private = false;
                }
                break;
            case State.EscapeIntermediate:
                // ESC ( B and the like: one more byte ends it.
                if (c is < ' ' or > '/')
                {
                    _state = State.Text;
                }
                break;
            case State.Csi:
                Csi(c);
                break;
            case State.Osc:
                // OSC ends with BEL or ST (ESC \).
                _state = c switch { '\a' => State.Text, '\x1b' => State.OscEscape, _ => State.Osc };
                break;
            case State.OscEscape:
                _state = c == '\\' ? State.Text : State.Osc;
                break;
        }
    }

    private void Printed(char c)
    {
        switch (c)
        {
            case '\x1b':
                _state = State.Escape;
                return;
            case '\r':
                Cursor = 0;
                return;
            case '\n':
                _cells.Clear();
                Cursor = 0;
                MultiRow = false;
                return;
            case '\b':
                Cursor = Math.Max(0, Cursor - 1);
                return;
            case '\t':
                Cursor = Math.Min(MaxLength, (Cursor / 8 + 1) * 8);
                return;
            case < ' ' or '\x7f':
                return;
        }
        if (Cursor >= MaxLength)
        {
            return;
        }
        Pad(Cursor + 1);
        _cells[Cursor++] = c;
    }

    private void Csi(char c)
    {
        if (c is >= '0' and <= '9')
        {
            _parameter = Math.Min(MaxLength, (_parameter < 0 ? 0 : _parameter * 10) + (c - '0'));
            return;
        }
        if (c == ';')
        {
            if (_parameters.Count < MaxParameters)
            {
                _parameters.Add(_parameter);
            }
            _parameter = -1;
            return;
        }
        if (c is '?' or '>' or '<' or '=')
        {
            _private = true;
            return;
        }
        if (c is < '@' or > '~')
        {
            // An intermediate byte (space to '/') or a stray control: keep reading until the final byte.
            return;
        }
        if (_parameters.Count < MaxParameters)
        {
            _parameters.Add(_parameter);
        }
        _state = State.Text;
        var n = Math.Max(1, _parameters[0]);
        if (_private)
        {
            if (c is 'h' or 'l')
            {
                Mode(c == 'h');
            }
            return;
        }
        switch (c)
        {
            case 'C':
                Cursor = Math.Min(MaxLength, Cursor + n);
                break;
            case 'D':
                Cursor = Math.Max(0, Cursor - n);
                break;
            case 'G':
                Cursor = Math.Min(MaxLength, n - 1);
                break;
            case 'A' or 'B' or 'E' or 'F' or 'H' or 'f':
                MultiRow = true;
                if (c is 'E' or 'F' or 'H' or 'f')
                {
                    Cursor = c is 'H' or 'f' && _parameters.Count > 1 ? Math.Min(MaxLength, Math.Max(1, _parameters[1]) - 1) : 0;
                }
                break;
            case 'K':
                Erase(Math.Max(0, _parameters[0]));
                break;
            case 'P':
                if (Cursor < _cells.Length)
                {
                    _cells.Remove(Cursor, Math.Min(n, _cells.Length - Cursor));
                }
                break;
            case '@':
                if (Cursor < _cells.Length)
                {
                    _cells.Insert(Cursor, " ", Math.Min(n, MaxLength - _cells.Length));
                }
                break;
            case 'X':
                for (var i = Cursor; i < Math.Min(_cells.Length, Cursor + n); i++)
                {
                    _cells[i] = ' ';
                }
                break;
        }
    }

    private void Mode(bool on)
    {
        foreach (var mode in _parameters)
        {
            switch (mode)
            {
                case 2004:
                    BracketedPaste = on;
                    break;
                case 1049 or 1047 or 47:
                    AlternateScreen = on;
                    break;
            }
        }
    }

    private void Erase(int mode)
    {
        switch (mode)
        {
            case 0:
                if (Cursor < _cells.Length)
                {
                    _cells.Length = Cursor;
                }
                break;
            case 1:
                for (var i = 0; i < Math.Min(_cells.Length, Cursor + 1); i++)
                {
                    _cells[i] = ' ';
                }
                break;
            default:
                _cells.Clear();
                break;
        }
    }

    private void Pad(int length)
    {
        if (_cells.Length < length)
        {
            _cells.Append(' ', length - _cells.Length);
        }
    }
}
