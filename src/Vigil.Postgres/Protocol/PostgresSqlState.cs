namespace Vigil.Postgres.Protocol;

/// <summary>
/// SQLSTATE codes (PostgreSQL 15 docs Appendix A, PostgreSQL Error Codes) used by this library
/// in <see cref="PostgresProtocolException.SqlState"/>.
/// </summary>
public static class PostgresSqlState
{
    /// <summary>08P01 protocol_violation: malformed framing or message body.</summary>
    public const string ProtocolViolation = "08P01";

    /// <summary>0A000 feature_not_supported: e.g. an unsupported protocol major version.</summary>
    public const string FeatureNotSupported = "0A000";

    /// <summary>28000 invalid_authorization_specification: authentication failed or was refused.</summary>
    public const string InvalidAuthorizationSpecification = "28000";

    /// <summary>22021 character_not_in_repertoire: a string was not valid UTF-8.</summary>
    public const string CharacterNotInRepertoire = "22021";

    /// <summary>22023 invalid_parameter_value: e.g. a format code other than 0 or 1.</summary>
    public const string InvalidParameterValue = "22023";
}
