namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// The kinds of lexical token in PostgreSQL SQL text, after PostgreSQL docs §4.1 "Lexical Structure".
/// </summary>
public enum PgTokenKind : byte
{
    /// <summary>A keyword or unquoted identifier (<c>select</c>, <c>users</c>); matched case-insensitively.</summary>
    Identifier,
    /// <summary>A quoted identifier <c>"My Table"</c> (with <c>""</c> escapes) or <c>U&amp;"…"</c>; case is significant.</summary>
    QuotedIdentifier,
    /// <summary>A standard string constant <c>'…'</c> with <c>''</c> escapes (also <c>N'…'</c>).</summary>
    String,
    /// <summary>An escape string constant <c>E'…'</c> with backslash escapes (§4.1.2.2).</summary>
    EscapeString,
    /// <summary>A Unicode escape string constant <c>U&amp;'…'</c> (§4.1.2.3).</summary>
    UnicodeString,
    /// <summary>A bit-string constant <c>B'0101'</c> (§4.1.2.5).</summary>
    BitString,
    /// <summary>A hexadecimal bit-string constant <c>X'1F'</c> (§4.1.2.5).</summary>
    HexString,
    /// <summary>A dollar-quoted string constant <c>$$…$$</c> or <c>$tag$…$tag$</c> (§4.1.2.4).</summary>
    DollarString,
    /// <summary>A numeric constant: <c>42</c>, <c>3.5</c>, <c>.5e-3</c>, <c>0x1F</c>, <c>1_000</c> (§4.1.2.6).</summary>
    Number,
    /// <summary>A positional parameter <c>$1</c> (§4.1.4).</summary>
    Parameter,
    /// <summary>An operator such as <c>=</c>, <c>&lt;&gt;</c>, <c>||</c>, <c>::</c>, <c>:=</c> (§4.1.3).</summary>
    Operator,
    /// <summary><c>(</c></summary>
    OpenParen,
    /// <summary><c>)</c></summary>
    CloseParen,
    /// <summary><c>[</c></summary>
    OpenBracket,
    /// <summary><c>]</c></summary>
    CloseBracket,
    /// <summary><c>,</c></summary>
    Comma,
    /// <summary><c>;</c>, the statement terminator.</summary>
    Semicolon,
    /// <summary><c>.</c> between qualified name parts.</summary>
    Dot,
    /// <summary>A <c>--</c> comment running to the end of the line.</summary>
    LineComment,
    /// <summary>A <c>/* … */</c> comment; these nest in PostgreSQL.</summary>
    BlockComment,
    /// <summary>A character PostgreSQL would reject (a lone <c>$</c>, a control character…); one character long.</summary>
    Unknown,
}
