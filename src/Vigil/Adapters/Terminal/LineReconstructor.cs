using System.Text;
using System.Text.RegularExpressions;

namespace Vigil.Adapters.Terminal;

/// <summary>
/// Reconstructs the command lines a user submits in an interactive terminal (an SSH shell, <c>kubectl exec -it</c>) from
/// the client's keystrokes and the target's echo, so the gateway can analyze each line before its Enter reaches the
/// target. Pure: no I/O, no clock, no SSH; one instance per terminal stream, fed from one thread (or under a lock).
/// <para>
/// The keystroke model applies GNU readline's default (emacs) bindings for the keys whose effect does not depend on the
/// shell's state — printable UTF-8 text, Backspace/DEL, Ctrl-U, Ctrl-W, Ctrl-A, Ctrl-E, Ctrl-K, Ctrl-B, Ctrl-F,
/// Ctrl-D, arrows left/right, Home/End, Delete, and bracketed paste (<c>ESC[200~ … ESC[201~</c>, taken literally).
/// Keys whose effect depends on the shell (Tab completion, history with Up/Down or Ctrl-P/N, Ctrl-R search, yank,
/// transpose, undo, other escape sequences) make the line uncertain: it is then read from the echo model
/// (<see cref="ScreenLine"/>: the screen text after the prompt; for a Ctrl-R search, the match readline shows).
/// </para>
/// Flow: <see cref="Input"/> returns the bytes to forward now and, at an Enter (CR or LF) ending a non-empty line, a
/// <see cref="SubmittedLine"/> with the Enter held back; the gateway analyzes it and calls <see cref="Accept"/> (the
/// Enter and any input typed meanwhile go on) or <see cref="Refuse"/> (the line is killed at the target with Ctrl-E
/// Ctrl-U, never an Enter; input typed after the refused Enter is dropped). <see cref="Output"/> feeds the target's
/// output to the echo model. An Enter on an empty line, or while a full-screen program has the alternate screen, is
/// forwarded at once.
/// </summary>
public sealed partial class LineReconstructor
{
    /// <summary>Longest line the keystroke model keeps, characters; a longer line is uncertain.</summary>
    public const int MaxLineLength = 64 * 1024;

    private const byte Escape = 0x1b;

    private readonly ScreenLine _screen = new();
    private readonly StringBuilder _line = new();
    private readonly Decoder _utf8 = new UTF8Encoding(false, false).GetDecoder();
    private readonly List<byte> _escape = [];
    private byte[] _held = [];
    private SubmittedLine? _waiting;
    private bool _paste;
    private int _cursor;
    private string? _uncertain;
    private string? _prompt;
    private string _submittedPrompt = "";

    /// <summary>True while a submitted line waits for <see cref="Accept"/> or <see cref="Refuse"/>.</summary>
    public bool Waiting => _waiting is not null;

    /// <summary>The line as the keystroke model has it so far (for diagnostics and tests).</summary>
    public string Current => _line.ToString();

    /// <summary>Feeds the target's output (what the client's terminal will show) to the echo model.</summary>
    public void Output(ReadOnlySpan<byte> data) => _screen.Feed(data);

    /// <summary>
    /// Feeds the client's keystrokes. Returns what to forward to the target now and, when an Enter ended a line, the
    /// submitted line (the Enter and everything after it held). While a line waits for a decision, everything is held.
    /// </summary>
    public LineInput Input(ReadOnlySpan<byte> data)
    {
        if (_waiting is not null)
        {
            _held = [.. _held, .. data];
            return new LineInput(ReadOnlyMemory<byte>.Empty, null);
        }
        return Scan(data);
    }

    /// <summary>
    /// The waiting line may run: returns its Enter and the input typed since (scanned again, so it may hold the next
    /// submitted line). Without a waiting line, nothing.
    /// </summary>
    public LineInput Accept()
    {
        if (_waiting is null)
        {
            return new LineInput(ReadOnlyMemory<byte>.Empty, null);
        }
        _waiting = null;
        var held = _held;
        _held = [];
        // The held bytes start with the Enter itself.
        var rest = Scan(held.AsSpan(1));
        return new LineInput((byte[])[held[0], .. rest.Forward.Span], rest.Submitted);
    }

    /// <summary>
    /// The waiting line is refused for <paramref name="reason"/> (shown after <c>vigil: blocked: </c>; control characters
    /// become spaces): returns what to send to the target to clear the line and what to show the user. The held Enter
    /// and anything typed after it are dropped.
    /// </summary>
    public LineRefusal Refuse(string reason)
    {
        var prompt = _submittedPrompt;
        _waiting = null;
        _held = [];
        var message = "\r\nvigil: blocked: " + Printable(reason) + "\r\n" + Printable(prompt);
        return new LineRefusal("\x05\x15"u8.ToArray(), Encoding.UTF8.GetBytes(message));
    }

    private static string Printable(string text) =>
        string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });

    private LineInput Scan(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            var b = data[i];
            if ((b is (byte)'\r' or (byte)'\n') && !_paste && _escape.Count == 0)
            {
                if (Submit() is { } line)
                {
                    _waiting = line;
                    _held = data[i..].ToArray();
                    return new LineInput(data[..i].ToArray(), line);
                }
                continue;
            }
            Key(b);
        }
        return new LineInput(data.ToArray(), null);
    }

    /// <summary>The line an Enter submits now, or null when the Enter should go on at once (empty line, full-screen program).</summary>
    private SubmittedLine? Submit()
    {
        var typed = _line.ToString();
        var uncertain = _uncertain;
        var atPrompt = _screen.BracketedPaste;
        var echo = Echo();
        _submittedPrompt = _prompt ?? "";
        Reset();
        if (_screen.AlternateScreen || (typed.Length == 0 && uncertain is null))
        {
            return null;
        }
        if (uncertain is not null)
        {
            return new SubmittedLine(echo ?? typed, false, echo, uncertain, atPrompt);
        }
        // The echo may lag the keystrokes (an agent writes a line and its Enter at once): a prefix agrees. After a pasted
        // newline the screen shows only the last line.
        var shown = typed[(typed.LastIndexOf('\n') + 1)..];
        if (echo is not null && !shown.StartsWith(echo, StringComparison.Ordinal))
        {
            return new SubmittedLine(typed, false, echo, "the echo differs from the keystrokes", atPrompt);
        }
        return new SubmittedLine(typed, true, echo, null, atPrompt);
    }

    /// <summary>The screen's line after the prompt (a Ctrl-R search's match), trailing blanks removed; null when empty.</summary>
    private string? Echo()
    {
        var screen = _screen.Text;
        if (SearchLine().Match(screen) is { Success: true } search)
        {
            return search.Groups["line"].Value.TrimEnd(' ') is { Length: > 0 } found ? found : null;
        }
        if (_screen.MultiRow)
        {
            return null;
        }
        var prompt = _prompt ?? "";
        var echo = screen.StartsWith(prompt, StringComparison.Ordinal) ? screen[prompt.Length..] : screen;
        echo = echo.TrimEnd(' ');
        return echo.Length > 0 ? echo : null;
    }

    /// <summary>readline's incremental search prompt: <c>(reverse-i-search)`QUERY': LINE</c> (also failed, forward, bck/fwd).</summary>
    [GeneratedRegex(@"\((?:failed )?(?:reverse-i-search|i-search|bck-i-search|fwd-i-search)\)`[^']*': (?<line>.*)$")]
    private static partial Regex SearchLine();

    private void Reset()
    {
        _line.Clear();
        _cursor = 0;
        _uncertain = null;
        _prompt = null;
        _paste = false;
    }

    private void Key(byte b)
    {
        if (_escape.Count > 0 || b == Escape)
        {
            EscapeByte(b);
            return;
        }
        if (b >= 0x80 || (b >= 0x20 && b != 0x7f) || (_paste && b is (byte)'\r' or (byte)'\n' or (byte)'\t'))
        {
            Text(b);
            return;
        }
        Control(b);
    }

    private void Text(byte b)
    {
        Span<byte> one = [b is (byte)'\r' ? (byte)'\n' : b];
        Span<char> chars = stackalloc char[2];
        var count = _utf8.GetChars(one, chars, flush: false);
        for (var i = 0; i < count; i++)
        {
            Insert(chars[i]);
        }
    }

    private void Insert(char c)
    {
        Start();
        if (_line.Length >= MaxLineLength)
        {
            _uncertain ??= "line longer than the model keeps";
            return;
        }
        _line.Insert(_cursor++, c);
    }

    /// <summary>The first key of a line: the screen before the cursor is the prompt.</summary>
    private void Start()
    {
        if (_prompt is null && _line.Length == 0)
        {
            _prompt = _screen.BeforeCursor;
        }
    }

    private void Control(byte b)
    {
        Start();
        switch (b)
        {
            case 0x7f or 0x08: // DEL, BS: backward-delete-char
                if (_cursor > 0)
                {
                    _line.Remove(--_cursor, 1);
                }
                break;
            case 0x15: // Ctrl-U: unix-line-discard
                _line.Remove(0, _cursor);
                _cursor = 0;
                break;
            case 0x17: // Ctrl-W: unix-word-rubout (whitespace-delimited)
                var start = _cursor;
                while (start > 0 && _line[start - 1] == ' ')
                {
                    start--;
                }
                while (start > 0 && _line[start - 1] != ' ')
                {
                    start--;
                }
                _line.Remove(start, _cursor - start);
                _cursor = start;
                break;
            case 0x01: // Ctrl-A
                _cursor = 0;
                break;
            case 0x05: // Ctrl-E
                _cursor = _line.Length;
                break;
            case 0x0b: // Ctrl-K: kill-line
                _line.Length = _cursor;
                break;
            case 0x02: // Ctrl-B
                _cursor = Math.Max(0, _cursor - 1);
                break;
            case 0x06: // Ctrl-F
                _cursor = Math.Min(_line.Length, _cursor + 1);
                break;
            case 0x04: // Ctrl-D: delete-char (EOF on an empty line, which the shell handles)
                if (_cursor < _line.Length)
                {
                    _line.Remove(_cursor, 1);
                }
                break;
            case 0x03: // Ctrl-C: the shell abandons the line
                Reset();
                break;
            case 0x0c: // Ctrl-L: redraw only
                break;
            case 0x09:
                _uncertain ??= "tab completion";
                break;
            case 0x10 or 0x0e:
                _uncertain ??= "history";
                break;
            case 0x12 or 0x13:
                _uncertain ??= "history search";
                break;
            default:
                _uncertain ??= $"control key 0x{b:x2}";
                break;
        }
    }

    private void EscapeByte(byte b)
    {
        _escape.Add(b);
        if (!EscapeComplete())
        {
            if (_escape.Count > 32)
            {
                _uncertain ??= "unknown escape sequence";
                _escape.Clear();
            }
            return;
        }
        var sequence = Encoding.ASCII.GetString([.. _escape]);
        _escape.Clear();
        if (_paste)
        {
            if (sequence == "\x1b[201~")
            {
                _paste = false;
            }
            else
            {
                // Escape bytes inside a paste are pasted text.
                foreach (var c in sequence)
                {
                    Insert(c);
                }
            }
            return;
        }
        Start();
        switch (sequence)
        {
            case "\x1b[200~":
                _paste = true;
                break;
            case "\x1b[D" or "\x1bOD":
                _cursor = Math.Max(0, _cursor - 1);
                break;
            case "\x1b[C" or "\x1bOC":
                _cursor = Math.Min(_line.Length, _cursor + 1);
                break;
            case "\x1b[H" or "\x1bOH" or "\x1b[1~" or "\x1b[7~":
                _cursor = 0;
                break;
            case "\x1b[F" or "\x1bOF" or "\x1b[4~" or "\x1b[8~":
                _cursor = _line.Length;
                break;
            case "\x1b[3~":
                if (_cursor < _line.Length)
                {
                    _line.Remove(_cursor, 1);
                }
                break;
            case "\x1b[A" or "\x1bOA" or "\x1b[B" or "\x1bOB":
                _uncertain ??= "history";
                break;
            default:
                _uncertain ??= "escape sequence " + sequence[1..];
                break;
        }
    }

    /// <summary>
    /// True when the escape sequence gathered so far is complete: <c>ESC [</c> parameters and a final byte (0x40–0x7E),
    /// <c>ESC O</c> and one byte, or <c>ESC</c> and any other byte (a Meta key).
    /// </summary>
    private bool EscapeComplete()
    {
        if (_escape.Count < 2)
        {
            return false;
        }
        return _escape[1] switch
        {
            (byte)'[' => _escape.Count > 2 && _escape[^1] is >= 0x40 and <= 0x7e,
            (byte)'O' => _escape.Count > 2,
            _ => true,
        };
    }
}
