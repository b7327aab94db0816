using System.Text;
using Vigil.Connections;

namespace Vigil.Sessions;

/// <summary>
/// Keeps the recorded part of one statement's result while the rows stream past (the record stage feeds it after
/// masking): the columns, the first rows up to <c>maxRows</c> rows and <c>maxBytes</c> UTF-8 bytes of values, and a
/// count of every row. Rows are kept whole and in order: the first row that does not fit ends the kept part (later,
/// smaller rows are counted, not kept), so the recording is always a prefix of what the client received. A value
/// larger than the whole byte budget therefore records no rows, only the columns, the count and <c>truncated</c>.
/// With <c>maxRows</c> or <c>maxBytes</c> 0, result recording is off: nothing is kept and <see cref="Build"/> is null.
/// One collector per statement, used by one thread at a time.
/// </summary>
public sealed class ResultCollector
{
    private readonly int _maxRows;
    private readonly long _maxBytes;
    private readonly List<IReadOnlyList<string?>> _rows = [];
    private IReadOnlyList<RecordedColumn>? _columns;
    private long _bytes;
    private long _rowCount;
    private bool _truncated;

    /// <summary>Creates a collector keeping at most <paramref name="maxRows"/> rows and <paramref name="maxBytes"/> bytes of values (0 = off).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is negative.</exception>
    public ResultCollector(int maxRows, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        _maxRows = maxRows;
        _maxBytes = maxBytes;
        IsFull = !Enabled;
    }

    /// <summary>A collector with <paramref name="connection"/>'s <c>record_result_rows</c> and <c>record_result_bytes</c>.</summary>
    public static ResultCollector For(Connection connection) => new(connection.RecordResultRows, connection.RecordResultBytes);

    /// <summary>False when result recording is off (a bound is 0).</summary>
    public bool Enabled => _maxRows > 0 && _maxBytes > 0;

    /// <summary>
    /// True once no further row will be kept (the row bound is reached, a row did not fit, or recording is off): the
    /// caller may then skip turning values into strings and call <see cref="Count"/> for each further row.
    /// </summary>
    public bool IsFull { get; private set; }

    /// <summary>Every row counted so far, kept or not.</summary>
    public long RowCount => _rowCount;

    /// <summary>Sets the result's columns (a PostgreSQL RowDescription); a statement without one has no result.</summary>
    public void SetColumns(IReadOnlyList<RecordedColumn> columns) => _columns = columns;

    /// <summary>
    /// Counts a row and keeps a copy of its values (after masking; null = SQL NULL) when it fits. Returns true when the
    /// row was kept, false when it was only counted (then every later row is only counted as well).
    /// </summary>
    public bool Add(ReadOnlySpan<string?> row)
    {
        if (IsFull)
        {
            Count();
            return false;
        }
        var bytes = Utf8Length(row, _maxBytes - _bytes);
        if (bytes < 0)
        {
            IsFull = true;
            Count();
            return false;
        }
        _rows.Add(row.ToArray());
        _bytes += bytes;
        _rowCount++;
        IsFull = _rows.Count >= _maxRows;
        return true;
    }

    /// <summary>Counts a row that is not kept (the caller saw <see cref="IsFull"/>).</summary>
    public void Count()
    {
        _rowCount++;
        _truncated = Enabled;
    }

    /// <summary>
    /// The recorded result: null when recording is off, or when the statement returned no result (no columns set and
    /// no row counted); else the columns, the kept rows, the count of all rows, and whether rows were left out.
    /// </summary>
    public RecordedResult? Build() =>
        !Enabled || (_columns is null && _rowCount == 0) ? null : new RecordedResult(_columns ?? [], _rows.ToArray(), _rowCount, _truncated);

    /// <summary>UTF-8 length of the row's values, or -1 as soon as it exceeds <paramref name="budget"/>.</summary>
    private static long Utf8Length(ReadOnlySpan<string?> row, long budget)
    {
        long total = 0;
        foreach (var value in row)
        {
            if (value is null)
            {
                continue;
            }
            // UTF-8 never takes fewer bytes than UTF-16 code units, so a value longer than the budget is not measured.
            if (value.Length > budget - total)
            {
                return -1;
            }
            total += Encoding.UTF8.GetByteCount(value);
            if (total > budget)
            {
                return -1;
            }
        }
        return total;
    }
}
