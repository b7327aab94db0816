using Vigil.Analysis.Static.Postgres;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// The proxy refuses sessions whose client_encoding is one of <see cref="PgClientEncodings"/> (SJIS, BIG5, GBK,
/// GB18030, JOHAB, SHIFT_JIS_2004): in those, a byte the gateway reads as <c>\</c> can be the second half of a
/// character to the server, so the gateway could not see the statements the server runs. Checked on the client's
/// startup parameter, on the target's startup report (which includes <c>ALTER ROLE … SET client_encoding</c>), and on
/// every later ParameterStatus (<c>SET client_encoding</c>, <c>SET NAMES</c>, <c>set_config</c>). See docs/security.md.
/// </summary>
internal static class ClientEncodingPolicy
{
    /// <summary>SQLSTATE of the refusal: feature_not_supported, as the server reports an encoding it cannot use.</summary>
    public const string SqlState = "0A000";

    /// <summary>Why <paramref name="encoding"/> is refused (without the "vigil: " prefix), or null when it is accepted.</summary>
    public static string? Refusal(string? encoding) => PgClientEncodings.Unsafe(encoding) is { } name
        ? $"client_encoding \"{name}\" is not supported: its multibyte characters can contain the bytes of \\ and other SQL punctuation, so the gateway could not read statements as the server does; use UTF8"
        : null;
}
