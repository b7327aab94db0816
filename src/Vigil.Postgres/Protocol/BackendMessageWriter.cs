using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// Writes server-to-client (backend) messages in the layouts of PostgreSQL 15 docs §55.7 Message Formats.
/// Each call appends one complete message (code, Int32 length, body) to the writer. Strings are
/// written as UTF-8 plus NUL; strings containing NUL are rejected with <see cref="ArgumentException"/>, except the
/// human-readable fields of ErrorResponse/NoticeResponse (message, detail, hint), whose NULs become U+FFFD: an error
/// about bad input may quote it, and failing to write the error would leave the connection without its FATAL.
/// </summary>
public static class BackendMessageWriter
{
    /// <summary>
    /// ErrorResponse ('E'): fields S and V (both <paramref name="severity"/>), C, M, then D and H when
    /// given, and the terminating zero byte (§55.8).
    /// </summary>
    /// <param name="writer">Destination.</param>
    /// <param name="severity">Non-localized severity: "ERROR", "FATAL" or "PANIC".</param>
    /// <param name="sqlState">Five-character SQLSTATE, e.g. "28000".</param>
    /// <param name="message">Primary message.</param>
    /// <param name="detail">Optional detail ('D').</param>
    /// <param name="hint">Optional hint ('H').</param>
    public static void WriteErrorResponse(
        IBufferWriter<byte> writer, string severity, string sqlState, string message, string? detail = null, string? hint = null) =>
        WriteFields(writer, BackendMessageCode.ErrorResponse, severity, sqlState, message, detail, hint);

    /// <summary>NoticeResponse ('N'): same fields as <see cref="WriteErrorResponse"/>.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="severity">Non-localized severity: "WARNING", "NOTICE", "DEBUG", "INFO" or "LOG".</param>
    /// <param name="sqlState">Five-character SQLSTATE, e.g. "01000".</param>
    /// <param name="message">Primary message.</param>
    /// <param name="detail">Optional detail ('D').</param>
    /// <param name="hint">Optional hint ('H').</param>
    public static void WriteNoticeResponse(
        IBufferWriter<byte> writer, string severity, string sqlState, string message, string? detail = null, string? hint = null) =>
        WriteFields(writer, BackendMessageCode.NoticeResponse, severity, sqlState, message, detail, hint);

    /// <summary>
    /// ErrorResponse ('E') or NoticeResponse ('N') carrying every field of <paramref name="message"/> in its order, then
    /// the terminating zero byte (§55.8): the rewrite of a received message whose fields were masked. NULs in values
    /// become U+FFFD; a field type 0 is rejected (it is the terminator).
    /// </summary>
    /// <param name="writer">Destination.</param>
    /// <param name="code"><see cref="BackendMessageCode.ErrorResponse"/> or <see cref="BackendMessageCode.NoticeResponse"/>.</param>
    /// <param name="message">The fields to write (e.g. from <see cref="ErrorResponseMessage.With"/>).</param>
    /// <param name="encoding">The session's client_encoding; <see langword="null"/> for UTF-8.</param>
    /// <exception cref="ArgumentException">Another code, or a field type outside 1..255.</exception>
    public static void WriteErrorOrNotice(IBufferWriter<byte> writer, byte code, ErrorResponseMessage message, System.Text.Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (code is not (BackendMessageCode.ErrorResponse or BackendMessageCode.NoticeResponse))
        {
            throw new ArgumentException($"code 0x{code:X2} is neither ErrorResponse nor NoticeResponse", nameof(code));
        }

        encoding ??= System.Text.Encoding.UTF8;
        var length = 1L;
        foreach (var (type, value) in message.Fields)
        {
            if (type is '\0' or > '\u00FF')
            {
                throw new ArgumentException($"invalid field type U+{(int)type:X4}", nameof(message));
            }

            length += 2 + encoding.GetByteCount(WithoutNul(value));
        }

        var w = SpanWriter.BeginTyped(writer, code, length);
        foreach (var (type, value) in message.Fields)
        {
            var text = WithoutNul(value);
            w.WriteByte((byte)type);
            encoding.GetBytes(text, w.Take(encoding.GetByteCount(text)));
            w.WriteByte(0);
        }

        w.WriteByte(0);
        w.Commit(writer);
    }

    /// <summary>AuthenticationOk ('R', length 8, type 0).</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteAuthenticationOk(IBufferWriter<byte> writer) =>
        WriteAuthentication(writer, AuthenticationMessage.Ok, default);

    /// <summary>AuthenticationCleartextPassword ('R', length 8, type 3).</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteAuthenticationCleartextPassword(IBufferWriter<byte> writer) =>
        WriteAuthentication(writer, AuthenticationMessage.CleartextPassword, default);

    /// <summary>AuthenticationMD5Password ('R', length 12, type 5, 4-byte salt).</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="salt">Exactly 4 random bytes.</param>
    public static void WriteAuthenticationMD5Password(IBufferWriter<byte> writer, ReadOnlySpan<byte> salt)
    {
        if (salt.Length != 4)
        {
            throw new ArgumentException("MD5 salt must be 4 bytes.", nameof(salt));
        }

        WriteAuthentication(writer, AuthenticationMessage.MD5Password, salt);
    }

    /// <summary>AuthenticationSASL ('R', type 10): NUL-terminated mechanism names, then an empty name.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="mechanisms">Mechanism names, e.g. "SCRAM-SHA-256".</param>
    public static void WriteAuthenticationSasl(IBufferWriter<byte> writer, IReadOnlyList<string> mechanisms)
    {
        ArgumentNullException.ThrowIfNull(mechanisms);
        long length = 4 + 1;
        foreach (var m in mechanisms)
        {
            length += WireText.CStringLength(m, nameof(mechanisms));
        }

        var w = SpanWriter.BeginTyped(writer, BackendMessageCode.Authentication, length);
        w.WriteInt32(AuthenticationMessage.Sasl);
        foreach (var m in mechanisms)
        {
            w.WriteCString(m);
        }

        w.WriteByte(0);
        w.Commit(writer);
    }

    /// <summary>AuthenticationSASLContinue ('R', type 11) carrying SASL data (e.g. SCRAM server-first-message).</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="data">Mechanism-specific bytes.</param>
    public static void WriteAuthenticationSaslContinue(IBufferWriter<byte> writer, ReadOnlySpan<byte> data) =>
        WriteAuthentication(writer, AuthenticationMessage.SaslContinue, data);

    /// <summary>AuthenticationSASLFinal ('R', type 12) carrying SASL outcome data (e.g. SCRAM server-final-message).</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="data">Mechanism-specific bytes.</param>
    public static void WriteAuthenticationSaslFinal(IBufferWriter<byte> writer, ReadOnlySpan<byte> data) =>
        WriteAuthentication(writer, AuthenticationMessage.SaslFinal, data);

    /// <summary>ParameterStatus ('S'): String name, String value.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="name">Parameter name, e.g. "server_version".</param>
    /// <param name="value">Parameter value.</param>
    public static void WriteParameterStatus(IBufferWriter<byte> writer, string name, string value)
    {
        var length = (long)WireText.CStringLength(name, nameof(name)) + WireText.CStringLength(value, nameof(value));
        var w = SpanWriter.BeginTyped(writer, BackendMessageCode.ParameterStatus, length);
        w.WriteCString(name);
        w.WriteCString(value);
        w.Commit(writer);
    }

    /// <summary>BackendKeyData ('K', length 12): Int32 process id, Int32 secret key.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="processId">Process id the client will quote in CancelRequest.</param>
    /// <param name="secretKey">Secret key the client will quote in CancelRequest.</param>
    public static void WriteBackendKeyData(IBufferWriter<byte> writer, int processId, int secretKey)
    {
        var w = SpanWriter.BeginTyped(writer, BackendMessageCode.BackendKeyData, 8);
        w.WriteInt32(processId);
        w.WriteInt32(secretKey);
        w.Commit(writer);
    }

    /// <summary>ReadyForQuery ('Z', length 5): transaction status byte.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="status">'I', 'T' or 'E' (<see cref="TransactionStatus"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">Any other status byte.</exception>
    public static void WriteReadyForQuery(IBufferWriter<byte> writer, byte status)
    {
        if (!TransactionStatus.IsValid(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Transaction status must be 'I', 'T' or 'E'.");
        }

        var w = SpanWriter.BeginTyped(writer, BackendMessageCode.ReadyForQuery, 1);
        w.WriteByte(status);
        w.Commit(writer);
    }

    /// <summary>
    /// NegotiateProtocolVersion ('v'): Int32 newest supported minor version, Int32 count, then the
    /// unrecognized "_pq_." option names (§55.2.1).
    /// </summary>
    /// <param name="writer">Destination.</param>
    /// <param name="newestMinor">Newest minor version of protocol 3 the server supports (0 here).</param>
    /// <param name="unrecognizedOptions">Option names from the StartupMessage the server did not recognize.</param>
    public static void WriteNegotiateProtocolVersion(
        IBufferWriter<byte> writer, int newestMinor, IReadOnlyList<string> unrecognizedOptions)
    {
        ArgumentNullException.ThrowIfNull(unrecognizedOptions);
        long length = 8;
        foreach (var option in unrecognizedOptions)
        {
            length += WireText.CStringLength(option, nameof(unrecognizedOptions));
        }

        var w = SpanWriter.BeginTyped(writer, BackendMessageCode.NegotiateProtocolVersion, length);
        w.WriteInt32(newestMinor);
        w.WriteInt32(unrecognizedOptions.Count);
        foreach (var option in unrecognizedOptions)
        {
            w.WriteCString(option);
        }

        w.Commit(writer);
    }

    /// <summary>EmptyQueryResponse ('I', length 4).</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteEmptyQueryResponse(IBufferWriter<byte> writer) =>
        WriteEmpty(writer, BackendMessageCode.EmptyQueryResponse);

    /// <summary>ParseComplete ('1', length 4).</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteParseComplete(IBufferWriter<byte> writer) => WriteEmpty(writer, BackendMessageCode.ParseComplete);

    /// <summary>BindComplete ('2', length 4).</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteBindComplete(IBufferWriter<byte> writer) => WriteEmpty(writer, BackendMessageCode.BindComplete);

    /// <summary>CommandComplete ('C'): String tag, e.g. "SELECT 1".</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="tag">Command tag.</param>
    public static void WriteCommandComplete(IBufferWriter<byte> writer, string tag)
    {
        var w = SpanWriter.BeginTyped(writer, BackendMessageCode.CommandComplete, WireText.CStringLength(tag, nameof(tag)));
        w.WriteCString(tag);
        w.Commit(writer);
    }

    /// <summary>Any typed message from an already-encoded body (e.g. a NoticeResponse relayed verbatim).</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="code">Message type byte.</param>
    /// <param name="body">The body, without the 5-byte header.</param>
    public static void WriteMessage(IBufferWriter<byte> writer, byte code, ReadOnlySpan<byte> body)
    {
        var w = SpanWriter.BeginTyped(writer, code, body.Length);
        w.WriteBytes(body);
        w.Commit(writer);
    }

    private static void WriteEmpty(IBufferWriter<byte> writer, byte code) =>
        SpanWriter.BeginTyped(writer, code, 0).Commit(writer);

    private static void WriteAuthentication(IBufferWriter<byte> writer, int type, ReadOnlySpan<byte> payload)
    {
        var w = SpanWriter.BeginTyped(writer, BackendMessageCode.Authentication, 4L + payload.Length);
        w.WriteInt32(type);
        w.WriteBytes(payload);
        w.Commit(writer);
    }

    private static void WriteFields(
        IBufferWriter<byte> writer, byte code, string severity, string sqlState, string message, string? detail, string? hint)
    {
        message = WithoutNul(message);
        detail = detail is null ? null : WithoutNul(detail);
        hint = hint is null ? null : WithoutNul(hint);
        var length = 1L
            + (2L * (1 + WireText.CStringLength(severity, nameof(severity))))
            + 1 + WireText.CStringLength(sqlState, nameof(sqlState))
            + 1 + WireText.CStringLength(message, nameof(message))
            + (detail is null ? 0 : 1 + WireText.CStringLength(detail, nameof(detail)))
            + (hint is null ? 0 : 1 + WireText.CStringLength(hint, nameof(hint)));
        var w = SpanWriter.BeginTyped(writer, code, length);
        WriteField(ref w, ErrorFieldType.Severity, severity);
        WriteField(ref w, ErrorFieldType.SeverityNonLocalized, severity);
        WriteField(ref w, ErrorFieldType.SqlState, sqlState);
        WriteField(ref w, ErrorFieldType.Message, message);
        if (detail is not null)
        {
            WriteField(ref w, ErrorFieldType.Detail, detail);
        }

        if (hint is not null)
        {
            WriteField(ref w, ErrorFieldType.Hint, hint);
        }

        w.WriteByte(0);
        w.Commit(writer);
    }

    private static string WithoutNul(string text) => text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;

    private static void WriteField(ref SpanWriter w, byte type, string value)
    {
        w.WriteByte(type);
        w.WriteCString(value);
    }
}
