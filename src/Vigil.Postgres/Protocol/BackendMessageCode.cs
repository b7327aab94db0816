namespace Vigil.Postgres.Protocol;

/// <summary>
/// Type bytes of the messages a server (backend) sends, per PostgreSQL 15 docs §55.7 Message Formats.
/// Several values coincide with <see cref="FrontendMessageCode"/> values of unrelated meaning,
/// so the direction of the stream decides the interpretation.
/// </summary>
public static class BackendMessageCode
{
    /// <summary>Authentication* family ('R'); the Int32 after the length says which request (§55.3).</summary>
    public const byte Authentication = (byte)'R';

    /// <summary>BackendKeyData ('K'): process id and secret key for CancelRequest.</summary>
    public const byte BackendKeyData = (byte)'K';

    /// <summary>BindComplete ('2').</summary>
    public const byte BindComplete = (byte)'2';

    /// <summary>CloseComplete ('3').</summary>
    public const byte CloseComplete = (byte)'3';

    /// <summary>CommandComplete ('C'): carries the command tag.</summary>
    public const byte CommandComplete = (byte)'C';

    /// <summary>CopyBothResponse ('W'): start of a bidirectional (replication) COPY.</summary>
    public const byte CopyBothResponse = (byte)'W';

    /// <summary>CopyData ('d').</summary>
    public const byte CopyData = (byte)'d';

    /// <summary>CopyDone ('c').</summary>
    public const byte CopyDone = (byte)'c';

    /// <summary>CopyInResponse ('G'): start of COPY FROM STDIN.</summary>
    public const byte CopyInResponse = (byte)'G';

    /// <summary>CopyOutResponse ('H'): start of COPY TO STDOUT.</summary>
    public const byte CopyOutResponse = (byte)'H';

    /// <summary>DataRow ('D'): one result row.</summary>
    public const byte DataRow = (byte)'D';

    /// <summary>EmptyQueryResponse ('I'): the query string was empty.</summary>
    public const byte EmptyQueryResponse = (byte)'I';

    /// <summary>ErrorResponse ('E'): an error, as typed fields (§55.8).</summary>
    public const byte ErrorResponse = (byte)'E';

    /// <summary>FunctionCallResponse ('V'): result of a fast-path function call.</summary>
    public const byte FunctionCallResponse = (byte)'V';

    /// <summary>NegotiateProtocolVersion ('v'): newest supported minor version and unrecognized options.</summary>
    public const byte NegotiateProtocolVersion = (byte)'v';

    /// <summary>NoData ('n'): the described statement returns no rows.</summary>
    public const byte NoData = (byte)'n';

    /// <summary>NoticeResponse ('N'): a notice, same layout as ErrorResponse (§55.8).</summary>
    public const byte NoticeResponse = (byte)'N';

    /// <summary>NotificationResponse ('A'): a LISTEN/NOTIFY notification.</summary>
    public const byte NotificationResponse = (byte)'A';

    /// <summary>ParameterDescription ('t'): parameter type OIDs of a prepared statement.</summary>
    public const byte ParameterDescription = (byte)'t';

    /// <summary>ParameterStatus ('S'): a run-time parameter name and value.</summary>
    public const byte ParameterStatus = (byte)'S';

    /// <summary>ParseComplete ('1').</summary>
    public const byte ParseComplete = (byte)'1';

    /// <summary>PortalSuspended ('s'): Execute's row limit was reached.</summary>
    public const byte PortalSuspended = (byte)'s';

    /// <summary>ReadyForQuery ('Z'): carries the transaction status byte.</summary>
    public const byte ReadyForQuery = (byte)'Z';

    /// <summary>RowDescription ('T'): column metadata of a result.</summary>
    public const byte RowDescription = (byte)'T';
}
