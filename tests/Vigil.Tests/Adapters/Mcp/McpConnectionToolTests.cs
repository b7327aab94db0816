using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary>
/// <c>connections_list</c>, <c>connection_get</c> and the catalog tools, as a service account that may use one connection
/// and not another: RBAC decides what is listed and usable, and the catalog reads are recorded as MCP sessions.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class McpConnectionToolTests(GatewayFixture gateway)
{
    private static IEnumerable<string> Names(JsonNode? rows, string field) => rows!.AsArray().Select(r => r![field]!.GetValue<string>());

    [Fact]
    public async Task A_connection_the_agent_may_not_use_is_neither_listed_nor_usable()
    {
        var dev = await gateway.CreateGroupAsync();
        var mine = await gateway.CreateConnectionAsync([dev]);
        var theirs = await gateway.CreateConnectionAsync([await gateway.CreateGroupAsync()]);
        var agent = await gateway.CreateServiceAccountAsync([dev]);
        await using var client = await gateway.ConnectHttpAsync(agent.Token);

        var list = await client.CallAsync("connections_list", new { page_size = 1000 });
        list.IsError.Should().BeFalse(list.Text);
        Names(list.Json["data"], "name").Should().Contain(mine).And.NotContain(theirs).And.NotContain("pg");
        list.Text.Should().Contain(mine).And.NotContain(theirs);

        var shown = await client.CallAsync("connection_get", new { name = mine });
        shown.IsError.Should().BeFalse(shown.Text);
        shown.Str("name").Should().Be(mine);
        shown.Json["has_password"]!.GetValue<bool>().Should().BeTrue();
        shown.Json["password"].Should().BeNull();
        shown.Text.Should().NotContain(GatewayFixture.AppPassword);

        foreach (var (tool, arguments) in new (string, object)[]
        {
            ("connection_get", new { name = theirs }),
            ("exec", new { connection = theirs, script = "select 1" }),
            ("connection_tables", new { connection = theirs }),
            ("connection_columns", new { connection = theirs, table = "items" }),
        })
        {
            var refused = await client.CallAsync(tool, arguments);
            refused.IsError.Should().BeTrue($"{tool} on a connection the agent may not use: {refused.Text}");
            refused.Text.Should().MatchRegex($"connection '{theirs}' not found|you may not use connection '{theirs}'");
        }
        (await gateway.McpSessionsAsync(theirs)).Should().BeEmpty();
    }

    [Fact]
    public async Task Catalog_tools_return_tables_and_are_recorded_as_mcp_sessions_named_after_the_tool()
    {
        var dev = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([dev]);
        var agent = await gateway.CreateServiceAccountAsync([dev]);
        await using var client = await gateway.ConnectHttpAsync(agent.Token);

        var schemas = await client.CallAsync("connection_schemas", new { connection });
        schemas.IsError.Should().BeFalse(schemas.Text);
        schemas.Str("status").Should().Be("done");
        Names(schemas.Json["rows"], "schema").Should().Contain("public").And.NotContain("pg_catalog").And.NotContain("information_schema");

        var tables = await client.CallAsync("connection_tables", new { connection, schema = "public" });
        tables.IsError.Should().BeFalse(tables.Text);
        var items = tables.Json["rows"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "items")!;
        items["schema"]!.GetValue<string>().Should().Be("public");
        items["type"]!.GetValue<string>().Should().Be("table");
        tables.Text.Should().MatchRegex(@"\n\s*schema\s*\|\s*name\s*\|\s*type\s*\|").And.Contain(" items ");

        var columns = await client.CallAsync("connection_columns", new { connection, table = "items" });
        columns.IsError.Should().BeFalse(columns.Text);
        var rows = columns.Json["rows"]!.AsArray();
        Names(rows, "column").Should().Equal("id", "name", "payload");
        rows[0]!["type"]!.GetValue<string>().Should().Be("integer");
        rows[0]!["primary_key"]!.GetValue<string>().Should().Be("t");
        rows[1]!["nullable"]!.GetValue<string>().Should().Be("f");
        rows[2]!["type"]!.GetValue<string>().Should().Be("bytea");
        columns.Json["row_count"]!.GetValue<long>().Should().Be(3);

        // Names are agent input: quotes and backslashes stay inside the string constant, whatever they try.
        foreach (var hostile in new[] { "items' OR 'a' = 'a", @"items\' OR true --", "items'; DROP TABLE items; --" })
        {
            var missing = await client.CallAsync("connection_columns", new { connection, table = hostile });
            missing.IsError.Should().BeTrue(missing.Text);
            missing.Text.Should().Contain($"table '{hostile}' not found on connection '{connection}'");
        }
        (await client.CallAsync("connection_columns", new { connection, table = "items", schema = "public" })).Json["row_count"]!.GetValue<long>().Should().Be(3);

        var sessions = await gateway.McpSessionsAsync(connection);
        sessions.Select(s => s!["tool"]!.GetValue<string>()).Should().Contain(["connection_schemas", "connection_tables", "connection_columns"]);
        sessions.Should().AllSatisfy(s =>
        {
            s!["type"]!.GetValue<string>().Should().Be("mcp");
            s["user"]!.GetValue<string>().Should().Be(agent.Name);
            s["client_name"]!.GetValue<string>().Should().Be(McpClients.Agent.Name);
            s["status"]!.GetValue<string>().Should().Be("done");
        });
        sessions.Should().HaveCount(7, "every catalog call ran one recorded command, the hostile names included");

        var audit = await gateway.ToolCallAuditAsync(agent.Name);
        audit.Select(a => a!["resource"]!.GetValue<string>()).Should().Contain(["connection_schemas", "connection_tables", "connection_columns"]);
        audit.Where(a => a!["resource"]!.GetValue<string>() == "connection_columns").Select(a => a!["outcome"]!.GetValue<string>())
            .Should().BeEquivalentTo(["success", "failure", "failure", "failure", "success"]);
    }
}
