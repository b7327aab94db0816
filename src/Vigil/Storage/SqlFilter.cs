using System.Text;
using Dapper;

namespace Vigil.Storage;

/// <summary>
/// A WHERE clause built from optional list filters: each non-null value adds <c>AND column = @column</c> (or a bound
/// of a time range on an RFC 3339 text column), with its value bound as a parameter, never spliced into the SQL.
/// Column names come from code, not from requests.
/// </summary>
public sealed class SqlFilter
{
    private readonly StringBuilder _where = new(" WHERE 1=1");

    /// <summary>The parameters of the clause; callers add their own (limit, offset, cursors) too.</summary>
    public DynamicParameters Args { get; } = new();

    /// <summary>Adds <c>column = value</c> when <paramref name="value"/> is not null.</summary>
    public SqlFilter Equal(string column, object? value)
    {
        if (value is not null)
        {
            _where.Append(" AND ").Append(column).Append(" = @f_").Append(column);
            Args.Add("f_" + column, value);
        }
        return this;
    }

    /// <summary>Adds <c>column &gt;= from</c> and <c>column &lt;= to</c> (inclusive) for the bounds that are set.</summary>
    public SqlFilter Between(string column, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } start)
        {
            _where.Append(" AND ").Append(column).Append(" >= @start_date");
            Args.Add("start_date", Rfc3339.Format(start));
        }
        if (to is { } end)
        {
            _where.Append(" AND ").Append(column).Append(" <= @end_date");
            Args.Add("end_date", Rfc3339.Format(end));
        }
        return this;
    }

    /// <summary>Appends a further condition written by the caller (its parameters go in <see cref="Args"/>).</summary>
    public SqlFilter And(string condition)
    {
        _where.Append(" AND (").Append(condition).Append(')');
        return this;
    }

    /// <summary>The clause, starting with a space: <c> WHERE 1=1 AND …</c>.</summary>
    public override string ToString() => _where.ToString();
}
