using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>
/// <c>connection_schemas</c>, <c>connection_tables</c> and <c>connection_columns</c>: the database's catalog read through
/// the pipeline. Each runs one fixed catalog query (<see cref="CatalogSql"/>) with <c>POST /api/sessions</c> (type
/// <c>mcp</c>, tool = the tool's name), so the read is authorized, analyzed, gated, masked and recorded like any command,
/// and answers as <see cref="ExecAnswer"/> does plus, when it ran, <c>rows</c> (objects keyed by column, from the
/// session's recording) and <c>row_count</c>. A connection that is not PostgreSQL is a tool error.
/// </summary>
[McpServerToolType]
public static class CatalogTools
{
    /// <summary>The connection's schemas.</summary>
    [McpServerTool(Name = "connection_schemas", Title = "List a database's schemas", ReadOnly = true, Idempotent = true, OpenWorld = true)]
    [Description("List the schemas of a PostgreSQL connection's database (system schemas left out), with owner and comment. "
        + "The catalog query runs through Vigil like any command (recorded; it may be masked, blocked or sent for review "
        + "by policy, with the same `status` values as `exec`). Then call `connection_tables`.")]
    public static Task<CallToolResult> ConnectionSchemas(
        VigilApi api,
        TimeProvider time,
        RequestContext<CallToolRequestParams> context,
        [Description("Name of the connection (from connections_list)")] string connection,
        CancellationToken cancellationToken = default) =>
        RunAsync(api, time, context, "connection_schemas", connection, CatalogSql.Schemas(), null, cancellationToken);

    /// <summary>The connection's tables and views.</summary>
    [McpServerTool(Name = "connection_tables", Title = "List a database's tables", ReadOnly = true, Idempotent = true, OpenWorld = true)]
    [Description("List the tables, views, materialized views and foreign tables of a PostgreSQL connection's database: "
        + "schema, name, type, estimated row count (from the planner's statistics; empty when never analyzed) and comment. "
        + "Without `schema`, every non-system schema (at most 1000 rows: pass `schema` to narrow). The catalog query runs "
        + "through Vigil like any command (recorded; same `status` values as `exec`). Then call `connection_columns`.")]
    public static Task<CallToolResult> ConnectionTables(
        VigilApi api,
        TimeProvider time,
        RequestContext<CallToolRequestParams> context,
        [Description("Name of the connection (from connections_list)")] string connection,
        [Description("Schema to list, e.g. `public` (exact name, case-sensitive; default: every non-system schema)")] string? schema = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(api, time, context, "connection_tables", connection, CatalogSql.Tables(Blank(schema)), null, cancellationToken);

    /// <summary>One table's columns.</summary>
    [McpServerTool(Name = "connection_columns", Title = "Describe a table's columns", ReadOnly = true, Idempotent = true, OpenWorld = true)]
    [Description("Describe the columns of one table or view of a PostgreSQL connection: name, type, nullable, default, "
        + "whether it is part of the primary key, and comment, in column order. Names are exact and case-sensitive as "
        + "stored (usually lower case). Without `schema`, the table the connection's search path finds (usually `public`). "
        + "An unknown table is an error. The catalog query runs through Vigil like any command (recorded; same `status` "
        + "values as `exec`).")]
    public static Task<CallToolResult> ConnectionColumns(
        VigilApi api,
        TimeProvider time,
        RequestContext<CallToolRequestParams> context,
        [Description("Name of the connection (from connections_list)")] string connection,
        [Description("The table or view's name, e.g. `customers` (from connection_tables)")] string table,
        [Description("The table's schema, e.g. `public` (default: the search path)")] string? schema = null,
        CancellationToken cancellationToken = default)
    {
        var name = ToolParameters.Required(table, "table", "the table's name, from connection_tables");
        var where = Blank(schema);
        return RunAsync(api, time, context, "connection_columns", connection, CatalogSql.Columns(name, where),
            $"table '{(where is null ? name : $"{where}.{name}")}' not found on connection '{connection}'"
            + (where is null ? " in the search path" : "") + ": call connection_tables for the names (they are case-sensitive)",
            cancellationToken);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>
    /// Checks the connection (visible, PostgreSQL), runs <paramref name="sql"/>, and adds the recorded rows (none when the
    /// connection records no results: the text output still has them); <paramref name="noRows"/>, when set, is the error
    /// for a result without rows.
    /// </summary>
    private static async Task<CallToolResult> RunAsync(
        VigilApi api, TimeProvider time, RequestContext<CallToolRequestParams> context, string tool, string connection, string sql, string? noRows,
        CancellationToken cancellationToken)
    {
        var name = ToolParameters.Required(connection, "connection", "the connection's name, from connections_list");
        var view = await api.GetAsync($"api/connections/{VigilApi.Segment(name)}", cancellationToken);
        var type = view?["type"]?.GetValue<string>();
        if (type != "postgres")
        {
            throw new McpException($"connection '{name}' is of type '{type}': {tool} reads PostgreSQL catalogs only; use exec with the target's own commands");
        }
        var answer = await api.SendAsync(HttpMethod.Post, "api/sessions", ExecAnswer.Request(context, tool, name, sql, null), cancellationToken);
        var result = ExecAnswer.Result(answer.Body);
        if (answer.Body?["status"]?.GetValue<string>() != "done" || answer.Body["id"]?.GetValue<string>() is not { } session)
        {
            return result;
        }
        var statement = StatementResults.Statements(await StatementResults.ReadSettledAsync(api, session, time, cancellationToken)).LastOrDefault();
        if (noRows is not null && statement?["rows"]?.GetValue<long>() == 0)
        {
            return ToolResults.Error(noRows);
        }
        var structured = JsonNode.Parse(result.StructuredContent!.Value.GetRawText())!.AsObject();
        structured["row_count"] = statement?["rows"]?.DeepClone();
        structured["rows"] = StatementResults.RowObjects(statement);
        return ToolResults.Of(structured, ((TextContentBlock)result.Content[0]).Text);
    }
}
