namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// The session settings that change how PostgreSQL lexes a statement, as the server reported them (ParameterStatus,
/// PostgreSQL docs §55.2.7). Today that is <c>standard_conforming_strings</c> (§19.13.1): when it is <c>off</c>, a plain
/// <c>'…'</c> literal (and <c>N'…'</c>) takes backslash escapes exactly like <c>E'…'</c> (scan.l's <c>xqstart</c> enters
/// the <c>xe</c> state), so <c>'x\', '</c> is one string there and two elsewhere.
/// </summary>
/// <remarks>
/// <c>client_encoding</c> is not here: the proxy refuses the client-only encodings whose multibyte characters can contain
/// ASCII bytes (see <c>docs/security.md</c>), and every other encoding keeps every ASCII byte an ASCII character, so the
/// text decoded as UTF-8 has the server's token boundaries.
/// </remarks>
/// <param name="StandardConformingStrings">The session's <c>standard_conforming_strings</c>; <c>true</c> (PostgreSQL's
/// default since 9.1) when the session has not reported it.</param>
public sealed record PgLexerOptions(bool StandardConformingStrings)
{
    /// <summary><c>standard_conforming_strings = on</c>: backslashes are literal in <c>'…'</c>.</summary>
    public static PgLexerOptions Standard { get; } = new(true);

    /// <summary><c>standard_conforming_strings = off</c>: <c>'…'</c> takes backslash escapes.</summary>
    public static PgLexerOptions BackslashEscapes { get; } = new(false);

    /// <summary>The options with the opposite <c>standard_conforming_strings</c>.</summary>
    public PgLexerOptions Opposite => StandardConformingStrings ? BackslashEscapes : Standard;

    /// <summary>The options for a session's reported value of <c>standard_conforming_strings</c> (<c>on</c>/<c>off</c>,
    /// any boolean spelling PostgreSQL accepts); null or unrecognized is <see cref="Standard"/>.</summary>
    public static PgLexerOptions FromSetting(string? standardConformingStrings) =>
        standardConformingStrings?.Trim().ToLowerInvariant() is "off" or "false" or "no" or "0" or "f" or "n" ? BackslashEscapes : Standard;
}
