namespace Vigil.Postgres.Protocol;

/// <summary>
/// Type bytes of the messages a client (frontend) sends after the startup packet,
/// per PostgreSQL 15 docs §55.7 Message Formats. The startup packet itself
/// (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest) has no type byte.
/// </summary>
public static class FrontendMessageCode
{
    /// <summary>Bind ('B'): binds parameter values to a prepared statement, creating a portal.</summary>
    public const byte Bind = (byte)'B';

    /// <summary>Close ('C'): closes a prepared statement or portal.</summary>
    public const byte Close = (byte)'C';

    /// <summary>CopyData ('d'): a chunk of COPY data.</summary>
    public const byte CopyData = (byte)'d';

    /// <summary>CopyDone ('c'): end of COPY data.</summary>
    public const byte CopyDone = (byte)'c';

    /// <summary>CopyFail ('f'): the client aborts a COPY FROM STDIN with an error message.</summary>
    public const byte CopyFail = (byte)'f';

    /// <summary>Describe ('D'): asks for a description of a statement or portal.</summary>
    public const byte Describe = (byte)'D';

    /// <summary>Execute ('E'): runs a portal.</summary>
    public const byte Execute = (byte)'E';

    /// <summary>Flush ('H'): asks the server to flush its output buffer.</summary>
    public const byte Flush = (byte)'H';

    /// <summary>FunctionCall ('F'): legacy fast-path function call.</summary>
    public const byte FunctionCall = (byte)'F';

    /// <summary>Parse ('P'): creates a prepared statement.</summary>
    public const byte Parse = (byte)'P';

    /// <summary>
    /// PasswordMessage ('p'). The same type byte is used for SASLInitialResponse, SASLResponse and
    /// GSSResponse; the meaning follows from the authentication exchange in progress (§55.3).
    /// </summary>
    public const byte PasswordMessage = (byte)'p';

    /// <summary>SASLInitialResponse ('p'), same byte as <see cref="PasswordMessage"/>.</summary>
    public const byte SaslInitialResponse = PasswordMessage;

    /// <summary>SASLResponse ('p'), same byte as <see cref="PasswordMessage"/>.</summary>
    public const byte SaslResponse = PasswordMessage;

    /// <summary>GSSResponse ('p'), same byte as <see cref="PasswordMessage"/>.</summary>
    public const byte GssResponse = PasswordMessage;

    /// <summary>Query ('Q'): a simple-query-protocol SQL string.</summary>
    public const byte Query = (byte)'Q';

    /// <summary>Sync ('S'): ends an extended-query batch.</summary>
    public const byte Sync = (byte)'S';

    /// <summary>Terminate ('X'): the client is closing the connection.</summary>
    public const byte Terminate = (byte)'X';

    /// <summary>
    /// Returns <see langword="true"/> when <paramref name="code"/> is the type byte of a v3 frontend
    /// message listed in §55.7 (startup packets excluded, since they carry no type byte).
    /// </summary>
    /// <param name="code">The first byte of a framed message.</param>
    /// <returns>Whether the byte names a known frontend message type.</returns>
    public static bool IsKnown(byte code) => code switch
    {
        Bind or Close or CopyData or CopyDone or CopyFail or Describe or Execute or Flush
            or FunctionCall or Parse or PasswordMessage or Query or Sync or Terminate => true,
        _ => false,
    };
}
