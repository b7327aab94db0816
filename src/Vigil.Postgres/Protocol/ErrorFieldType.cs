namespace Vigil.Postgres.Protocol;

/// <summary>Field type bytes of ErrorResponse and NoticeResponse (PostgreSQL 15 docs §55.8 Error and Notice Message Fields).</summary>
public static class ErrorFieldType
{
    /// <summary>'S': severity, possibly localized (ERROR, FATAL, PANIC, WARNING, NOTICE, DEBUG, INFO, LOG).</summary>
    public const byte Severity = (byte)'S';

    /// <summary>'V': severity, never localized (PostgreSQL 9.6+).</summary>
    public const byte SeverityNonLocalized = (byte)'V';

    /// <summary>'C': SQLSTATE code.</summary>
    public const byte SqlState = (byte)'C';

    /// <summary>'M': primary message.</summary>
    public const byte Message = (byte)'M';

    /// <summary>'D': detail.</summary>
    public const byte Detail = (byte)'D';

    /// <summary>'H': hint.</summary>
    public const byte Hint = (byte)'H';

    /// <summary>'P': cursor position (decimal, 1-based, in characters).</summary>
    public const byte Position = (byte)'P';
}
