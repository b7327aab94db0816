using ModelContextProtocol;
using Npgsql;
using Vigil.Adapters.Mcp.Tools;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary><see cref="CatalogSql.Literal"/> against the real server: every value reads back as itself, whatever <c>standard_conforming_strings</c> is.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CatalogSqlTests(GatewayFixture gateway)
{
    private static readonly string[] s_values =
    [
        "", "items", "it's", "''", @"back\slash", @"trailing\", @"\'", @"\\'", @"items\' OR true --", "a'; DROP TABLE items; --",
        "$$dollar$$", "ünï'cødé\\ 漢字", "new\nline", "\t\"quoted\"",
    ];

    [Theory]
    [InlineData("on")]
    [InlineData("off")]
    public async Task Every_value_reads_back_as_itself(string standardConformingStrings)
    {
        await using var connection = new NpgsqlConnection(gateway.DirectConnectionString());
        await connection.OpenAsync();
        await new NpgsqlCommand($"SET standard_conforming_strings = {standardConformingStrings}; SET escape_string_warning = off", connection).ExecuteNonQueryAsync();

        foreach (var value in s_values)
        {
            var read = await new NpgsqlCommand($"SELECT {CatalogSql.Literal(value)}", connection).ExecuteScalarAsync();
            read.Should().Be(value, $"the literal {CatalogSql.Literal(value)} with standard_conforming_strings = {standardConformingStrings}");
        }
    }

    [Fact]
    public void Quotes_are_doubled_and_a_backslash_selects_the_escape_form()
    {
        CatalogSql.Literal("it's").Should().Be("'it''s'");
        CatalogSql.Literal(@"a\'b").Should().Be(@"E'a\\''b'");
        FluentActions.Invoking(() => CatalogSql.Literal("a\0b")).Should().Throw<McpException>().WithMessage("*NUL*");
    }
}
