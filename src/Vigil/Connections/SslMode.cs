namespace Vigil.Connections;

/// <summary>Upstream TLS policy, named as libpq's <c>sslmode</c> (PostgreSQL docs §34.19 "SSL Support").</summary>
public enum SslMode
{
    /// <summary>Plain TCP only.</summary>
    Disable,
    /// <summary>TLS when the server offers it, plain TCP otherwise; the certificate is not verified.</summary>
    Prefer,
    /// <summary>TLS or fail; the certificate is not verified.</summary>
    Require,
    /// <summary>TLS or fail; the chain must validate (system roots or the connection's <c>ssl_root_cert</c>) and the host name match.</summary>
    VerifyFull,
}

/// <summary>Text forms of <see cref="SslMode"/> as the API and libpq spell them.</summary>
public static class SslModes
{
    /// <summary>Every accepted spelling, for error messages.</summary>
    public const string Accepted = "disable, prefer, require, verify-full";

    /// <summary>Parses "disable", "prefer", "require" or "verify-full" (case-insensitive).</summary>
    public static bool TryParse(string? text, out SslMode mode)
    {
        mode = text?.ToLowerInvariant() switch
        {
            "disable" => SslMode.Disable,
            "prefer" or null or "" => SslMode.Prefer,
            "require" => SslMode.Require,
            "verify-full" => SslMode.VerifyFull,
            _ => (SslMode)(-1),
        };
        return Enum.IsDefined(mode);
    }

    /// <summary>The API spelling of <paramref name="mode"/>.</summary>
    public static string ToText(this SslMode mode) => mode switch
    {
        SslMode.Disable => "disable",
        SslMode.Require => "require",
        SslMode.VerifyFull => "verify-full",
        _ => "prefer",
    };
}
