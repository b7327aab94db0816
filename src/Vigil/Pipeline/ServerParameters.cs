using System.Collections.Concurrent;
using Vigil.Analysis.Static.Postgres;

namespace Vigil.Pipeline;

/// <summary>
/// The run-time parameters a PostgreSQL target reported for one session (ParameterStatus, PostgreSQL docs §55.2.7:
/// <c>standard_conforming_strings</c>, <c>client_encoding</c>, <c>server_version</c>, <c>DateStyle</c>, …): first the
/// startup reports, then every later one as the relay forwards it. Empty for sessions that are not native PostgreSQL
/// connections. Thread-safe: the relay's backend loop writes while the frontend loop reads.
/// </summary>
public sealed class ServerParameters
{
    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.Ordinal);
    private volatile PgLexerOptions _lexer = PgLexerOptions.Standard;

    /// <summary>How the server lexes statements now, from its last <c>standard_conforming_strings</c> report
    /// (<see cref="PgLexerOptions.Standard"/> before any). The analyzer also tries the opposite setting whenever it
    /// could matter, because a report can be overtaken by a statement in flight.</summary>
    public PgLexerOptions LexerOptions => _lexer;

    /// <summary>The last reported value of <paramref name="name"/> (names as the server spells them), or null.</summary>
    public string? this[string name] => _values.TryGetValue(name, out var value) ? value : null;

    /// <summary>Records one ParameterStatus report.</summary>
    public void Set(string name, string value)
    {
        _values[name] = value;
        if (name == "standard_conforming_strings")
        {
            _lexer = PgLexerOptions.FromSetting(value);
        }
    }
}
