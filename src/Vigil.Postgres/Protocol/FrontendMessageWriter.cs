using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// Writes client-to-server (frontend) messages, for when the gateway connects to an upstream PostgreSQL
/// server, in the layouts of PostgreSQL 15 docs §55.7 Message Formats. Each call appends one complete
/// message. Strings are written as UTF-8 plus NUL; strings containing NUL are rejected with
/// <see cref="ArgumentException"/>.
/// </summary>
public static class FrontendMessageWriter
{
    /// <summary>StartupMessage for protocol 3.0: Int32 length, Int32 196608, name/value pairs, terminating NUL.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="parameters">Run-time parameters; must include "user".</param>
    public static void WriteStartupMessage(IBufferWriter<byte> writer, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        long length = 4 + 1;
        foreach (var (name, value) in parameters)
        {
            length += WireText.CStringLength(name, nameof(parameters)) + WireText.CStringLength(value, nameof(parameters));
        }

        var w = SpanWriter.BeginUntyped(writer, length);
        w.WriteInt32(StartupCode.ProtocolVersion3);
        foreach (var (name, value) in parameters)
        {
            w.WriteCString(name);
            w.WriteCString(value);
        }

        w.WriteByte(0);
        w.Commit(writer);
    }

    /// <summary>SSLRequest: Int32 8, Int32 80877103.</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteSslRequest(IBufferWriter<byte> writer) => WriteCodeOnly(writer, StartupCode.SslRequest);

    /// <summary>GSSENCRequest: Int32 8, Int32 80877104.</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteGssEncRequest(IBufferWriter<byte> writer) => WriteCodeOnly(writer, StartupCode.GssEncRequest);

    /// <summary>CancelRequest: Int32 16, Int32 80877102, Int32 process id, Int32 secret key.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="processId">Process id from BackendKeyData.</param>
    /// <param name="secretKey">Secret key from BackendKeyData.</param>
    public static void WriteCancelRequest(IBufferWriter<byte> writer, int processId, int secretKey)
    {
        var w = SpanWriter.BeginUntyped(writer, 12);
        w.WriteInt32(StartupCode.CancelRequest);
        w.WriteInt32(processId);
        w.WriteInt32(secretKey);
        w.Commit(writer);
    }

    /// <summary>PasswordMessage ('p'): String password (cleartext, or "md5…" from <see cref="Auth.Md5Password"/>).</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="password">Password text.</param>
    public static void WritePasswordMessage(IBufferWriter<byte> writer, string password) =>
        WriteSingleString(writer, FrontendMessageCode.PasswordMessage, password, nameof(password));

    /// <summary>SASLInitialResponse ('p'): String mechanism, Int32 data length, data bytes.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="mechanism">Selected mechanism, e.g. "SCRAM-SHA-256".</param>
    /// <param name="data">Initial client response, e.g. SCRAM client-first-message.</param>
    public static void WriteSaslInitialResponse(IBufferWriter<byte> writer, string mechanism, ReadOnlySpan<byte> data)
    {
        var w = SpanWriter.BeginTyped(
            writer, FrontendMessageCode.SaslInitialResponse, WireText.CStringLength(mechanism, nameof(mechanism)) + 4L + data.Length);
        w.WriteCString(mechanism);
        w.WriteInt32(data.Length);
        w.WriteBytes(data);
        w.Commit(writer);
    }

    /// <summary>SASLResponse ('p'): the raw SASL data (e.g. SCRAM client-final-message).</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="data">Mechanism-specific bytes.</param>
    public static void WriteSaslResponse(IBufferWriter<byte> writer, ReadOnlySpan<byte> data) =>
        WriteRaw(writer, FrontendMessageCode.SaslResponse, data);

    /// <summary>Query ('Q'): String SQL.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="sql">Query text.</param>
    public static void WriteQuery(IBufferWriter<byte> writer, string sql) =>
        WriteSingleString(writer, FrontendMessageCode.Query, sql, nameof(sql));

    /// <summary>Parse ('P'): String name, String SQL, Int16 n, n × Int32 type OID.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="statementName">Statement name; empty for the unnamed statement.</param>
    /// <param name="sql">Query text.</param>
    /// <param name="parameterTypes">Parameter type OIDs (0 = unspecified); at most 65535.</param>
    public static void WriteParse(
        IBufferWriter<byte> writer, string statementName, string sql, IReadOnlyList<int>? parameterTypes = null)
    {
        var types = parameterTypes ?? [];
        CheckCount(types.Count, nameof(parameterTypes));
        var length = (long)WireText.CStringLength(statementName, nameof(statementName))
            + WireText.CStringLength(sql, nameof(sql)) + 2 + (4L * types.Count);
        var w = SpanWriter.BeginTyped(writer, FrontendMessageCode.Parse, length);
        w.WriteCString(statementName);
        w.WriteCString(sql);
        w.WriteInt16((short)types.Count);
        foreach (var oid in types)
        {
            w.WriteInt32(oid);
        }

        w.Commit(writer);
    }

    /// <summary>
    /// Bind ('B') with all parameters in text format: String portal, String statement, Int16 0 (all text),
    /// Int16 n, n × (Int32 length or −1 for NULL, UTF-8 bytes), Int16 0 (text results).
    /// </summary>
    /// <param name="writer">Destination.</param>
    /// <param name="portalName">Portal name; empty for the unnamed portal.</param>
    /// <param name="statementName">Statement name; empty for the unnamed statement.</param>
    /// <param name="parameters">Text values; <see langword="null"/> is SQL NULL. At most 65535.</param>
    public static void WriteBind(
        IBufferWriter<byte> writer, string portalName, string statementName, IReadOnlyList<string?> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        CheckCount(parameters.Count, nameof(parameters));
        var length = (long)WireText.CStringLength(portalName, nameof(portalName))
            + WireText.CStringLength(statementName, nameof(statementName)) + 2 + 2 + 2;
        foreach (var p in parameters)
        {
            length += 4 + (p is null ? 0 : WireText.Utf8.GetByteCount(p));
        }

        var w = SpanWriter.BeginTyped(writer, FrontendMessageCode.Bind, length);
        w.WriteCString(portalName);
        w.WriteCString(statementName);
        w.WriteInt16(0);
        w.WriteInt16((short)parameters.Count);
        foreach (var p in parameters)
        {
            if (p is null)
            {
                w.WriteInt32(-1);
            }
            else
            {
                w.WriteInt32(WireText.Utf8.GetByteCount(p));
                w.WriteUtf8(p);
            }
        }

        w.WriteInt16(0);
        w.Commit(writer);
    }

    /// <summary>Execute ('E'): String portal, Int32 max rows (0 = all).</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="portalName">Portal name; empty for the unnamed portal.</param>
    /// <param name="maxRows">Row limit, 0 for no limit.</param>
    public static void WriteExecute(IBufferWriter<byte> writer, string portalName, int maxRows = 0)
    {
        var w = SpanWriter.BeginTyped(writer, FrontendMessageCode.Execute, WireText.CStringLength(portalName, nameof(portalName)) + 4L);
        w.WriteCString(portalName);
        w.WriteInt32(maxRows);
        w.Commit(writer);
    }

    /// <summary>
    /// FunctionCall ('F') with all arguments in text format: Int32 function OID, Int16 0 (all text), Int16 n,
    /// n × (Int32 length or −1 for NULL, UTF-8 bytes), Int16 0 (text result).
    /// </summary>
    /// <param name="writer">Destination.</param>
    /// <param name="functionOid">The function's pg_proc OID.</param>
    /// <param name="arguments">Text values; <see langword="null"/> is SQL NULL. At most 65535.</param>
    public static void WriteFunctionCall(IBufferWriter<byte> writer, uint functionOid, IReadOnlyList<string?> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        CheckCount(arguments.Count, nameof(arguments));
        var length = 4L + 2 + 2 + 2;
        foreach (var a in arguments)
        {
            length += 4 + (a is null ? 0 : WireText.Utf8.GetByteCount(a));
        }

        var w = SpanWriter.BeginTyped(writer, FrontendMessageCode.FunctionCall, length);
        w.WriteInt32((int)functionOid);
        w.WriteInt16(0);
        w.WriteInt16((short)arguments.Count);
        foreach (var a in arguments)
        {
            if (a is null)
            {
                w.WriteInt32(-1);
            }
            else
            {
                w.WriteInt32(WireText.Utf8.GetByteCount(a));
                w.WriteUtf8(a);
            }
        }

        w.WriteInt16(0);
        w.Commit(writer);
    }

    /// <summary>Describe ('D'): Byte1 kind ('S' or 'P'), String name.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="kind"><see cref="TargetKind.Statement"/> or <see cref="TargetKind.Portal"/>.</param>
    /// <param name="name">Statement or portal name.</param>
    public static void WriteDescribe(IBufferWriter<byte> writer, byte kind, string name) =>
        WriteKindAndName(writer, FrontendMessageCode.Describe, kind, name);

    /// <summary>Close ('C'): Byte1 kind ('S' or 'P'), String name.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="kind"><see cref="TargetKind.Statement"/> or <see cref="TargetKind.Portal"/>.</param>
    /// <param name="name">Statement or portal name.</param>
    public static void WriteClose(IBufferWriter<byte> writer, byte kind, string name) =>
        WriteKindAndName(writer, FrontendMessageCode.Close, kind, name);

    /// <summary>CopyData ('d'): raw bytes.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="data">COPY payload chunk.</param>
    public static void WriteCopyData(IBufferWriter<byte> writer, ReadOnlySpan<byte> data) =>
        WriteRaw(writer, FrontendMessageCode.CopyData, data);

    /// <summary>CopyDone ('c', length 4).</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteCopyDone(IBufferWriter<byte> writer) => WriteRaw(writer, FrontendMessageCode.CopyDone, default);

    /// <summary>CopyFail ('f'): String error message.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="message">Reason the COPY failed.</param>
    public static void WriteCopyFail(IBufferWriter<byte> writer, string message) =>
        WriteSingleString(writer, FrontendMessageCode.CopyFail, message, nameof(message));

    /// <summary>Sync ('S', length 4).</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteSync(IBufferWriter<byte> writer) => WriteRaw(writer, FrontendMessageCode.Sync, default);

    /// <summary>Flush ('H', length 4).</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteFlush(IBufferWriter<byte> writer) => WriteRaw(writer, FrontendMessageCode.Flush, default);

    /// <summary>Terminate ('X', length 4).</summary>
    /// <param name="writer">Destination.</param>
    public static void WriteTerminate(IBufferWriter<byte> writer) => WriteRaw(writer, FrontendMessageCode.Terminate, default);

    private static void WriteCodeOnly(IBufferWriter<byte> writer, int code)
    {
        var w = SpanWriter.BeginUntyped(writer, 4);
        w.WriteInt32(code);
        w.Commit(writer);
    }

    private static void WriteRaw(IBufferWriter<byte> writer, byte code, ReadOnlySpan<byte> data)
    {
        var w = SpanWriter.BeginTyped(writer, code, data.Length);
        w.WriteBytes(data);
        w.Commit(writer);
    }

    private static void WriteSingleString(IBufferWriter<byte> writer, byte code, string value, string paramName)
    {
        var w = SpanWriter.BeginTyped(writer, code, WireText.CStringLength(value, paramName));
        w.WriteCString(value);
        w.Commit(writer);
    }

    private static void WriteKindAndName(IBufferWriter<byte> writer, byte code, byte kind, string name)
    {
        if (kind is not (TargetKind.Statement or TargetKind.Portal))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Kind must be 'S' or 'P'.");
        }

        var w = SpanWriter.BeginTyped(writer, code, 1L + WireText.CStringLength(name, nameof(name)));
        w.WriteByte(kind);
        w.WriteCString(name);
        w.Commit(writer);
    }

    private static void CheckCount(int count, string paramName)
    {
        if (count > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, count, "At most 65535 entries fit in an Int16 count.");
        }
    }
}
