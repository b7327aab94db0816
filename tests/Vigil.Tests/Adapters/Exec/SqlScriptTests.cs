using System.Text;
using Vigil.Adapters.Exec;

namespace Vigil.Tests.Adapters.Exec;

public sealed class SqlScriptTests
{
    [Theory]
    [InlineData("select 1; select 2", new[] { "select 1", "select 2" })]
    [InlineData("select ';'; select 2;", new[] { "select ';'", "select 2" })]
    [InlineData("select 'it''s; fine'", new[] { "select 'it''s; fine'" })]
    [InlineData("select E'a\\'; b'; select 3", new[] { "select E'a\\'; b'", "select 3" })]
    [InlineData("select \"semi;colon\" from t", new[] { "select \"semi;colon\" from t" })]
    [InlineData("do $$ begin perform 1; end $$; select 4", new[] { "do $$ begin perform 1; end $$", "select 4" })]
    [InlineData("do $fn$ begin perform '$$;'; end $fn$", new[] { "do $fn$ begin perform '$$;'; end $fn$" })]
    [InlineData("select 1 -- trailing; comment\n; select 2", new[] { "select 1 -- trailing; comment", "select 2" })]
    [InlineData("/* outer /* nested; */ still; */ select 5", new[] { "/* outer /* nested; */ still; */ select 5" })]
    [InlineData(" ; ;; -- only a comment\n", new string[0])]
    [InlineData("select $1, a$b from t; select 6", new[] { "select $1, a$b from t", "select 6" })]
    public void Splits_at_top_level_semicolons_only(string script, string[] expected) =>
        SqlScript.Split(script).Should().Equal(expected);

    [Theory]
    [InlineData(
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; END; SELECT f(1)",
        new[] { "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; END", "SELECT f(1)" })]
    [InlineData(
        "create or replace procedure p() language sql begin atomic insert into t values (1); end; call p()",
        new[] { "create or replace procedure p() language sql begin atomic insert into t values (1); end", "call p()" })]
    [InlineData("begin; select 1; end", new[] { "begin", "select 1", "end" })]
    [InlineData("create table begin_log (x int); select 1", new[] { "create table begin_log (x int)", "select 1" })]
    public void A_sql_standard_routine_body_stays_one_statement_as_psql_keeps_it(string script, string[] expected) =>
        SqlScript.Split(script).Should().Equal(expected);

    [Fact]
    public void The_analyzer_still_cuts_at_every_semicolon_so_a_name_cannot_hide_a_statement()
    {
        // psql's rule reads the function name "begin" as a block: the analyzer must still see the DROP on its own.
        const string sql = "CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS 'select 1'; DROP TABLE customers";
        Vigil.Analysis.Static.Postgres.PostgresAnalyzer.Analyze(sql).Level.Should().Be(Vigil.Analysis.RiskLevel.High);
    }

    [Theory]
    [InlineData("-- note\n/* c */ create unique index i on t(x)", "CREATE", "UNIQUE")]
    [InlineData("  Begin", "BEGIN", null)]
    public void Leading_words_skip_comments(string statement, string first, string? second)
    {
        var words = SqlScript.LeadingWords(statement, 2);
        words[0].Should().Be(first);
        if (second is not null)
        {
            words[1].Should().Be(second);
        }
    }

    [Fact]
    public void Result_table_matches_psql_aligned_format()
    {
        var output = new StringBuilder();
        ResultTable.Render(output, ["id", "name"], [true, false], [["1", "Ada"], ["10", null]]);
        output.ToString().Should().Be(" id | name \n----+------\n  1 | Ada\n 10 | \n(2 rows)\n");
    }

    [Fact]
    public void Values_use_postgres_text_forms()
    {
        ResultTable.Text(true).Should().Be("t");
        ResultTable.Text(new byte[] { 0xde, 0xad }).Should().Be("\\xdead");
        ResultTable.Text(new DateTime(2026, 11, 20, 10, 0, 0)).Should().Be("2026-11-20 10:00:00");
        ResultTable.Text(new[] { 1, 2 }).Should().Be("{1,2}");
        ResultTable.Text(DBNull.Value).Should().BeNull();
        ResultTable.Text(1.5m).Should().Be("1.5");
    }
}
