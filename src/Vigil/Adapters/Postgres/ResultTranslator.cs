using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Vigil.Pipeline;
using Vigil.Postgres.Copy;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Streaming;
using Vigil.Postgres.Types;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// Translates the target's answer to a command into the pipeline's result chain (<see cref="CommandRun"/>) and the
/// chain's rewrites back into protocol messages (§55.7): RowDescription → columns (types from the Describe that
/// preceded an Execute, formats from its Bind), each DataRow → a <see cref="ResultRow"/> of text values (text format,
/// and binary text-like types) rewritten with recomputed lengths when a stage changed one, CopyData of <c>COPY … TO
/// STDOUT</c> → rows split as the statement's options say, NoticeResponse / ErrorResponse → a
/// <see cref="ResultNotice"/>. A DataRow above <see cref="WholeRowLimit"/> streams through windows of bounded size
/// (<see cref="DataRowStreamProcessor"/>): matches there are overwritten in place, same length, as the row's length has
/// already gone out. When a stage stops a result, the client gets an ErrorResponse 42501 after the rows already sent
/// and nothing else up to ReadyForQuery, as after a server error mid-result; a transaction block the client now sees
/// failed is failed on the target too before its next message (<see cref="TakeFailServerTransaction"/>).
/// Used by the relay's backend loop only.
/// </summary>
internal sealed class ResultTranslator(SessionContext session) : IDisposable
{
    /// <summary>DataRows up to this size (bytes) are held whole and rewritten; larger ones stream.</summary>
    public const int WholeRowLimit = 1024 * 1024;

    private const uint ByteaOid = 17;
    private readonly TableNames _tables = new(session.Connection);
    private readonly Dictionary<string, RowDescriptionField[]> _statementFields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (BoundPortal Portal, RowDescriptionField[] Fields)> _portalFields = new(StringComparer.Ordinal);
    private readonly DataRowStreamProcessor _stream = new();
    private CommandRun? _run;
    private RowDescriptionField[]? _fields;
    /// <summary>True when the current result has binary array columns (rows then take the slower, per-element path).</summary>
    private bool _binaryArrays;
    private CopyRowSplitter? _copy;
    private string? _streamStop;
    private volatile bool _failServerTransaction;

    /// <summary>True while a stopped result's remaining messages are dropped (until ReadyForQuery).</summary>
    public bool Dropping { get; private set; }

    /// <summary>True while an oversized DataRow streams through <see cref="StreamRow"/>.</summary>
    public bool Streaming { get; private set; }

    /// <summary>The frontend loop asks before each client message: true once, when the target's transaction must be failed first.</summary>
    public bool TakeFailServerTransaction()
    {
        if (!_failServerTransaction)
        {
            return false;
        }
        _failServerTransaction = false;
        return true;
    }

    private string? _encodingName;
    private Encoding? _encoding;

    /// <summary>The encoding the session's text travels in (null when the gateway cannot read it), looked up when the server reports a new one.</summary>
    public Encoding? ClientEncoding
    {
        get
        {
            var name = session.ServerParameters["client_encoding"];
            if (!ReferenceEquals(name, _encodingName))
            {
                _encodingName = name;
                _encoding = PostgresText.ForClientEncoding(name);
            }
            return _encoding;
        }
    }

    /// <summary>A RowDescription: remembered for the Describe it answers, or the columns of a simple Query's result.</summary>
    public async ValueTask OnRowDescriptionAsync(RowDescriptionField[] fields, StatementTracker.DescribePending? describe, CommandRun? queryRun, CancellationToken cancellationToken)
    {
        if (describe is { Statement: true })
        {
            _statementFields[describe.Name] = fields;
        }
        else if (describe is { Portal: { } portal })
        {
            _portalFields[describe.Name] = (portal, fields);
        }
        else if (describe is null && queryRun is not null)
        {
            await BeginAsync(queryRun, fields, cancellationToken);
        }
    }

    /// <summary>A ParseComplete re-created <paramref name="statementName"/>: its old description no longer holds.</summary>
    public void OnParseComplete(string? statementName)
    {
        if (statementName is not null)
        {
            _statementFields.Remove(statementName);
        }
    }

    /// <summary>
    /// Makes <paramref name="run"/> the current result before its first row: an Execute's columns come from the
    /// portal's Describe, else from its statement's with the formats its Bind asked for; unknown when neither was seen.
    /// </summary>
    public async ValueTask EnsureColumnsAsync(CommandRun run, BoundPortal? portal, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(run, _run) || portal is null)
        {
            return;
        }
        RowDescriptionField[]? fields = null;
        if (_portalFields.Values.FirstOrDefault(p => ReferenceEquals(p.Portal, portal)) is { Fields: { } described })
        {
            fields = described;
        }
        else if (_statementFields.TryGetValue(portal.StatementName, out var statement))
        {
            fields = statement.Select((f, i) => f with { FormatCode = BindMessage.ResultFormatOf(portal.ResultFormats, i) }).ToArray();
        }
        await BeginAsync(run, fields, cancellationToken);
    }

    private async ValueTask BeginAsync(CommandRun run, RowDescriptionField[]? fields, CancellationToken cancellationToken)
    {
        _run = run;
        _fields = fields;
        _binaryArrays = fields is not null && fields.Any(f => f.FormatCode == 1 && TextValueCodec.ElementOf(f.TypeOid) != 0);
        if (fields is null)
        {
            return;
        }
        if (run.NeedsTables)
        {
            await _tables.ResolveAsync(fields.Select(f => f.TableOid), cancellationToken);
        }
        run.Columns(fields.Select(f => new ResultColumn(f.Name, PostgresTypes.GetName(f.TypeOid), _tables.Of(f.TableOid))).ToArray());
    }

    /// <summary>
    /// A whole DataRow body of the current result: true when the caller forwards the original bytes, false when this
    /// wrote its replacement (a rewritten row, or the ErrorResponse of a stop).
    /// </summary>
    public bool DataRow(CommandRun run, ReadOnlySequence<byte> body, PipeWriter client)
    {
        var encoding = ClientEncoding;
        if (encoding is null && run.Filtered)
        {
            return Stop(run, $"cannot read results in client_encoding {session.ServerParameters["client_encoding"]}", client);
        }
        if (_fields is null && run.Filtered)
        {
            return Stop(run, "cannot inspect a result whose columns were not described (Describe the statement or portal first)", client);
        }
        if (!TryRead(body, encoding ?? Encoding.Latin1, out var row, out var values, out var unreadable))
        {
            if (run.Filtered)
            {
                return Stop(run, $"cannot read column {unreadable} of the result to inspect it", client);
            }
            run.CountRow();
            return true;
        }
        var action = run.Row(row);
        if (action.Stopped)
        {
            return Stop(run, action.StopReason!, client);
        }
        if (!row.AnyChanged)
        {
            return true;
        }
        DataRowWriter.Rewrite(client, body, Replacements(row, values, encoding!));
        return false;
    }

    /// <summary>Reads a DataRow's fields into entries; false (with the column) when a binary text-like value is malformed.</summary>
    private bool TryRead(ReadOnlySequence<byte> body, Encoding encoding, out ResultRow row, out TextValue?[] values, out int unreadable) =>
        _binaryArrays ? TryReadWithArrays(body, encoding, out row, out values, out unreadable) : TryReadScalars(body, encoding, out row, out values, out unreadable);

    /// <summary>The common case, one entry per column: text-format values are decoded straight to strings.</summary>
    private bool TryReadScalars(ReadOnlySequence<byte> body, Encoding encoding, out ResultRow row, out TextValue?[] values, out int unreadable)
    {
        var reader = new DataRowReader(body);
        var count = reader.FieldCount;
        values = new TextValue?[count];
        var entries = new string?[count];
        bool[]? opaque = null;
        unreadable = -1;
        row = null!;
        while (reader.MoveNext())
        {
            var i = reader.Index;
            if (reader.IsNull)
            {
                continue;
            }
            var field = _fields is { } fields && i < fields.Length ? fields[i] : (RowDescriptionField?)null;
            if (field is not { } f || f.TypeOid == ByteaOid || !TextValueCodec.IsTextLike(f.TypeOid, f.FormatCode))
            {
                (opaque ??= new bool[count])[i] = true;
                entries[i] = field is { FormatCode: 0 } ? PostgresText.Decode(reader.Value, encoding) : OpaqueValue.Text(field?.TypeOid ?? 0, reader.Value);
                continue;
            }
            if (f.FormatCode == 0)
            {
                entries[i] = PostgresText.Decode(reader.Value, encoding);
                continue;
            }
            try
            {
                values[i] = TextValueCodec.Decode(reader.Value, f.TypeOid, f.FormatCode, encoding);
                entries[i] = values[i]!.Elements[0];
            }
            catch (PostgresProtocolException)
            {
                unreadable = i + 1;
                return false;
            }
        }
        row = new ResultRow(entries, opaque);
        return true;
    }

    /// <summary>A row with binary array columns: each element is an entry of its own.</summary>
    private bool TryReadWithArrays(ReadOnlySequence<byte> body, Encoding encoding, out ResultRow row, out TextValue?[] values, out int unreadable)
    {
        var reader = new DataRowReader(body);
        values = new TextValue?[reader.FieldCount];
        var entries = new List<string?>(reader.FieldCount);
        var opaque = new List<bool>(reader.FieldCount);
        var columnOf = new List<int>(reader.FieldCount);
        var arrays = new bool[reader.FieldCount];
        var anyArray = false;
        unreadable = -1;
        row = null!;
        while (reader.MoveNext())
        {
            var i = reader.Index;
            var field = _fields is { } fields && i < fields.Length ? fields[i] : (RowDescriptionField?)null;
            if (reader.IsNull)
            {
                Add(null, false, i);
                continue;
            }
            if (field is not { } f || f.TypeOid == ByteaOid || !TextValueCodec.IsTextLike(f.TypeOid, f.FormatCode))
            {
                Add(field is { FormatCode: 0 } ? PostgresText.Decode(reader.Value, encoding) : OpaqueValue.Text(field?.TypeOid ?? 0, reader.Value), true, i);
                continue;
            }
            try
            {
                var value = TextValueCodec.Decode(reader.Value, f.TypeOid, f.FormatCode, encoding);
                values[i] = value;
                if (value.IsArray)
                {
                    arrays[i] = anyArray = true;
                    foreach (var element in value.Elements)
                    {
                        Add(element, false, i);
                    }
                }
                else
                {
                    Add(value.Elements[0], false, i);
                }
            }
            catch (PostgresProtocolException)
            {
                unreadable = i + 1;
                return false;
            }
        }
        row = anyArray ? new ResultRow([.. entries], [.. opaque], [.. columnOf], arrays) : new ResultRow([.. entries], [.. opaque]);
        return true;

        void Add(string? entry, bool isOpaque, int column)
        {
            entries.Add(entry);
            opaque.Add(isOpaque);
            columnOf.Add(column);
        }
    }

    private static FieldReplacement[] Replacements(ResultRow row, TextValue?[] values, Encoding encoding)
    {
        var replacements = new FieldReplacement[values.Length];
        var changed = new bool[values.Length];
        var element = new int[values.Length];
        for (var entry = 0; entry < row.Count; entry++)
        {
            var column = row.ColumnOf(entry);
            var index = element[column]++;
            if (!row.Changed(entry))
            {
                continue;
            }
            if (values[column] is not { } value)
            {
                // A text-format value, decoded straight to its string: written back in the session's encoding.
                replacements[column] = row[entry] is { } text ? FieldReplacement.Of(encoding.GetBytes(text)) : FieldReplacement.Null;
                continue;
            }
            changed[column] = true;
            if (!value.IsArray && row[entry] is null)
            {
                replacements[column] = FieldReplacement.Null;
                values[column] = null;
                continue;
            }
            value.Elements[index] = value.IsArray ? row[entry] : row[entry]!;
        }
        for (var column = 0; column < values.Length; column++)
        {
            if (changed[column] && values[column] is { } value)
            {
                replacements[column] = FieldReplacement.Of(value, encoding);
            }
        }
        return replacements;
    }

    /// <summary>Starts streaming an oversized DataRow whose 5-byte header the caller has just written.</summary>
    public void BeginStreamRow(CommandRun run, long bodyLength)
    {
        Streaming = true;
        _streamStop = null;
        var encoding = ClientEncoding ?? Encoding.Latin1;
        var fields = _fields;
        _stream.Begin(bodyLength, i => fields is not null && i < fields.Length && fields[i].TypeOid != ByteaOid ? StreamedValueKinds.For(fields[i]) : StreamedValueKind.PassThrough, Scan);

        void Scan(int fieldIndex, Span<byte> window, DataRowWindow info)
        {
            if (_streamStop is not null)
            {
                window.Fill((byte)'*');
                return;
            }
            var text = new ResultText(encoding.GetString(window));
            var action = run.Text(text);
            if (action.Stopped)
            {
                // The row's length is already out: what is left of it is blanked, the stop follows the row.
                _streamStop = action.StopReason;
                window.Fill((byte)'*');
            }
            else if (text.Changed)
            {
                Overwrite(window, encoding, text.Text);
            }
        }
    }

    /// <summary>Feeds the next bytes of a streamed row; true once it is complete (then a stop inside it is sent).</summary>
    public bool StreamRow(CommandRun run, ReadOnlySequence<byte> input, PipeWriter client)
    {
        _stream.Process(input, client);
        if (!_stream.IsComplete)
        {
            return false;
        }
        Streaming = false;
        run.CountRow();
        if (_streamStop is { } stop)
        {
            Stop(run, stop, client);
        }
        return true;
    }

    /// <summary>Overwrites the bytes between the first and last characters that differ with '*' (same length; fail closed between matches).</summary>
    private static void Overwrite(Span<byte> window, Encoding encoding, string masked)
    {
        var original = encoding.GetString(window);
        var prefix = 0;
        while (prefix < original.Length && prefix < masked.Length && original[prefix] == masked[prefix])
        {
            prefix++;
        }
        var suffix = 0;
        while (suffix < original.Length - prefix && suffix < masked.Length - prefix && original[^(suffix + 1)] == masked[^(suffix + 1)])
        {
            suffix++;
        }
        var start = encoding.GetByteCount(original.AsSpan(0, prefix));
        var end = window.Length - encoding.GetByteCount(original.AsSpan(original.Length - suffix));
        window[start..Math.Max(start, end)].Fill((byte)'*');
    }

    /// <summary>CopyOutResponse: starts splitting the COPY's rows; false (a stop was written) when they cannot be read and a stage needs them.</summary>
    public bool OnCopyOut(CommandRun run, ReadOnlySequence<byte> body, PipeWriter client)
    {
        _copy = null;
        var response = CopyResponseMessage.Parse(body);
        var options = response.IsBinary ? null : CopyStatementOptions.Read(run.Command.Input, session.ServerParameters.LexerOptions);
        var encoding = ClientEncoding;
        if (options is null || encoding is null)
        {
            return !run.Filtered || Stop(run, "cannot read the rows of this COPY to inspect them (binary format or unreadable options)", client);
        }
        if (run.NeedsTables)
        {
            // COPY data names no columns: a column masking rule could not tell which field to mask.
            return Stop(run, "COPY TO STDOUT is refused on a connection with column masking rules (COPY names no columns); use SELECT", client);
        }
        _copy = new CopyRowSplitter(options, encoding);
        run.Columns(response.ColumnFormats.Select((_, i) => new ResultColumn($"column{i + 1}", "text")).ToArray());
        return true;
    }

    /// <summary>True while CopyData of an inspected COPY is being split.</summary>
    public bool Copying => _copy is not null;

    /// <summary>A whole CopyData body: its complete rows go through the stages and out as one CopyData each.</summary>
    public void CopyData(CommandRun run, ReadOnlySequence<byte> body, PipeWriter client, bool done)
    {
        _copy!.Append(body);
        while (_copy.TryReadRow(out var row) || (done && _copy.TryComplete(out row)))
        {
            var values = new string?[row.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = row.IsNull(i) ? null : row.GetValue(i);
            }
            var entries = new ResultRow(values);
            var action = run.Row(entries);
            if (action.Stopped)
            {
                _copy = null;
                Stop(run, action.StopReason!, client);
                return;
            }
            for (var i = 0; i < values.Length; i++)
            {
                if (entries.Changed(i))
                {
                    row.SetValue(i, entries[i]);
                }
            }
            row.WriteCopyData(client);
        }
        if (done)
        {
            _copy = null;
        }
    }

    /// <summary>A NoticeResponse or ErrorResponse for <paramref name="run"/>: true when the original is forwarded, false when this wrote a masked copy.</summary>
    public bool Notice(CommandRun run, byte code, ErrorResponseMessage message, PipeWriter client)
    {
        var notice = new ResultNotice(message.Severity, message.SqlState, message.Message, message.Detail, message.Hint);
        run.Notice(notice);
        var replaced = new Dictionary<char, string>();
        Changed('M', message.Message, notice.Message);
        Changed('D', message.Detail, notice.Detail);
        Changed('H', message.Hint, notice.Hint);
        if (replaced.Count == 0)
        {
            return true;
        }
        BackendMessageWriter.WriteErrorOrNotice(client, code, message.With(replaced), ClientEncoding);
        return false;

        void Changed(char field, string? before, string? after)
        {
            if (!string.Equals(before, after, StringComparison.Ordinal))
            {
                replaced[field] = after ?? "";
            }
        }
    }

    /// <summary>
    /// ReadyForQuery after a stopped result ends the drop; inside a transaction block ('T') the client is told the block
    /// failed ('E') and the target's block is failed before the client's next message. Returns the status to send.
    /// </summary>
    public byte OnReadyForQuery(byte status)
    {
        _copy = null;
        if (!Dropping)
        {
            return status;
        }
        Dropping = false;
        if (status == TransactionStatus.InTransaction)
        {
            _failServerTransaction = true;
            return TransactionStatus.Failed;
        }
        return status;
    }

    private bool Stop(CommandRun run, string reason, PipeWriter client)
    {
        run.StopWith(reason);
        BackendMessageWriter.WriteErrorResponse(client, "ERROR", "42501", "vigil: " + reason);
        Dropping = true;
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
