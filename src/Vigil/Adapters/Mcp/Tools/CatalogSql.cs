using System.Text;
using ModelContextProtocol;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>
/// The fixed catalog queries of the catalog tools (PostgreSQL system catalogs <c>pg_namespace</c>, <c>pg_class</c>,
/// <c>pg_attribute</c>; PostgreSQL docs chapter 53), with the agent's schema and table names only ever inside string
/// constants built by <see cref="Literal"/>. Each query is one read-only statement on the catalogs, so the static
/// analyzer classifies it as a catalog read; it still goes through the whole pipeline like any command.
/// </summary>
public static class CatalogSql
{
    /// <summary>Most rows a catalog listing returns; an agent narrows by schema past that.</summary>
    public const int MaxRows = 1000;

    private const string NotSystem = "n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_'";

    /// <summary>The non-system schemas with their owners.</summary>
    public static string Schemas() =>
        "SELECT n.nspname AS schema, pg_catalog.pg_get_userbyid(n.nspowner) AS owner, "
        + "pg_catalog.obj_description(n.oid, 'pg_namespace') AS description "
        + $"FROM pg_catalog.pg_namespace n WHERE {NotSystem} ORDER BY 1 LIMIT {MaxRows}";

    /// <summary>Tables, views, materialized views and foreign tables of <paramref name="schema"/> (null: every non-system schema).</summary>
    public static string Tables(string? schema) =>
        "SELECT n.nspname AS schema, c.relname AS name, "
        + "CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view' "
        + "WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END AS type, "
        + "CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END AS estimated_rows, "
        + "pg_catalog.obj_description(c.oid, 'pg_class') AS description "
        + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        + "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND "
        + (schema is null ? NotSystem : $"n.nspname = {Literal(schema)}")
        + $" ORDER BY 1, 2 LIMIT {MaxRows}";

    /// <summary>
    /// The columns of <paramref name="table"/> in <paramref name="schema"/>, or, without a schema, of the table the
    /// connection's search path finds (<c>pg_table_is_visible</c>): position, name, type, nullability, default, whether
    /// it is in the primary key, and its comment.
    /// </summary>
    public static string Columns(string table, string? schema) =>
        "SELECT n.nspname AS schema, c.relname AS table, a.attname AS column, "
        + "pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable, "
        + "pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default, "
        + "EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)) AS primary_key, "
        + "pg_catalog.col_description(c.oid, a.attnum) AS description "
        + "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
        + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        + "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        + $"WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname = {Literal(table)} AND "
        + (schema is null ? "pg_catalog.pg_table_is_visible(c.oid)" : $"n.nspname = {Literal(schema)}")
        + $" ORDER BY a.attnum LIMIT {MaxRows}";

    /// <summary>
    /// <paramref name="value"/> as a PostgreSQL string constant, as the server's <c>quote_literal</c> writes it (PostgreSQL
    /// docs §4.1.2.1–2, §9.4): single quotes doubled, and when the value holds a backslash, the escape-string form
    /// <c>E'…'</c> with backslashes doubled. The escape form means the same whatever <c>standard_conforming_strings</c> is,
    /// so no setting of the target can turn a backslash into a quote that ends the constant. A NUL character, which
    /// PostgreSQL text cannot hold, is refused (<see cref="McpException"/>).
    /// </summary>
    public static string Literal(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new McpException("a name cannot contain the NUL character");
        }
        var escape = value.Contains('\\', StringComparison.Ordinal);
        var text = new StringBuilder(value.Length + 4);
        text.Append(escape ? "E'" : "'");
        foreach (var c in value)
        {
            if (c is '\'' or '\\')
            {
                text.Append(c); // doubled: '' and \\ each stand for one character
            }
            text.Append(c);
        }
        return text.Append('\'').ToString();
    }
}
