namespace Vigil.Guardrails;

/// <summary>
/// Runs a connection's output rules over one result stream as it passes (<see cref="GuardrailChecker.CreateOutputScanner"/>),
/// without holding the result: the adapter hands over each piece and stops the result at the first violation
/// (nothing past the match may reach the client). Two kinds of piece:
/// <list type="bullet">
/// <item><see cref="ScanValue"/>: a complete value (a <c>DataRow</c> cell, a COPY line, a notice's message). Values are
/// separate: a deny word or pattern never spans two of them.</item>
/// <item><see cref="ScanChunk"/>: the next piece of one continuous text (exec output, a value too large to hold cut into
/// windows). A deny word or pattern match that spans consecutive chunks is found: the scanner keeps the tail of the text
/// seen so far (<see cref="CarryChars"/>) and searches it together with the next chunk. Bound: a deny word (at most
/// <see cref="GuardrailRequest.MaxWordChars"/> characters) is always found across a boundary; a pattern match is found
/// when it starts within the last <see cref="PatternCarryChars"/> characters before the boundary. A deny word that ends
/// exactly at a chunk's end is judged with the next chunk (<c>drop</c> + <c>ped</c> is <c>dropped</c>, not a match), or
/// by <see cref="Complete"/> at the end of the stream.</item>
/// </list>
/// Once a violation is found every later call returns it. Thread-safe: calls are serialized on the instance.
/// </summary>
public sealed class GuardrailOutputScanner
{
    /// <summary>The tail kept between chunks when any output rule is a pattern, characters.</summary>
    public const int PatternCarryChars = 1024;

    private readonly CompiledRule[] _rules;
    private readonly Lock _lock = new();
    // Grown on the first chunk only: a scanner that sees values alone (DataRow cells) never allocates one.
    private char[] _buffer = [];
    private int _carry;
    private bool _cut;
    private GuardrailViolation? _violation;

    internal GuardrailOutputScanner(CompiledRule[] rules)
    {
        _rules = rules;
        CarryChars = rules.Any(r => !r.IsWords) ? PatternCarryChars : 2 * GuardrailRequest.MaxWordChars + 2;
    }

    /// <summary>How many characters of chunked text are kept to find matches across chunk boundaries.</summary>
    public int CarryChars { get; }

    /// <summary>The violation found so far, or null.</summary>
    public GuardrailViolation? Violation
    {
        get
        {
            lock (_lock)
            {
                return _violation;
            }
        }
    }

    /// <summary>Checks one complete value; ends (judges) any chunked text before it. Returns the violation or null.</summary>
    public GuardrailViolation? ScanValue(ReadOnlySpan<char> value)
    {
        lock (_lock)
        {
            if (_violation is null && _carry > 0)
            {
                Flush();
            }
            return _violation ??= Find(value, midStream: false, openEnd: false);
        }
    }

    /// <summary>Checks the next piece of continuous text. Returns the violation or null.</summary>
    public GuardrailViolation? ScanChunk(ReadOnlySpan<char> chunk)
    {
        lock (_lock)
        {
            if (_violation is not null || chunk.IsEmpty)
            {
                return _violation;
            }
            var length = _carry + chunk.Length;
            if (length > _buffer.Length)
            {
                var grown = new char[Math.Max(length, Math.Max(2 * _buffer.Length, CarryChars + 4096))];
                _buffer.AsSpan(0, _carry).CopyTo(grown);
                _buffer = grown;
            }
            chunk.CopyTo(_buffer.AsSpan(_carry));
            var text = _buffer.AsSpan(0, length);
            _violation = Find(text, _cut, openEnd: true);
            if (length > CarryChars)
            {
                text[^CarryChars..].CopyTo(_buffer);
                _carry = CarryChars;
                _cut = true;
            }
            else
            {
                _carry = length;
            }
            return _violation;
        }
    }

    /// <summary>Ends the chunked text: judges a deny word it ended on. Returns the violation or null.</summary>
    public GuardrailViolation? Complete()
    {
        lock (_lock)
        {
            if (_violation is null && _carry > 0)
            {
                Flush();
            }
            return _violation;
        }
    }

    /// <summary>The kept tail once more, its end now final; then the next chunk starts a new text.</summary>
    private void Flush()
    {
        _violation = Find(_buffer.AsSpan(0, _carry), _cut, openEnd: false);
        _carry = 0;
        _cut = false;
    }

    private GuardrailViolation? Find(ReadOnlySpan<char> text, bool midStream, bool openEnd)
    {
        foreach (var rule in _rules)
        {
            if (rule.Find(text, GuardrailMatchLocation.Result, midStream, openEnd) is { } violation)
            {
                return violation;
            }
        }
        return null;
    }
}
