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
    [InlineData(
        "create function f() returns text language sql begin /* ; */ atomic select 'a; end'; -- end;\n select 'b'; end; select 2",
        new[] { "create function f() returns text language sql begin /* ; */ atomic select 'a; end'; -- end;\n select 'b'; end", "select 2" })]
    [InlineData(
        "create function f(a int) returns int language sql begin atomic select case when a > 0 then case a when 1 then 1 else 2 end else 0 end; end; select 3",
        new[] { "create function f(a int) returns int language sql begin atomic select case when a > 0 then case a when 1 then 1 else 2 end else 0 end; end", "select 3" })]
    [InlineData("create procedure p() language sql begin atomic end; select 4", new[] { "create procedure p() language sql begin atomic end", "select 4" })]
    public void A_sql_standard_routine_body_stays_one_statement(string script, string[] expected) =>
        SqlScript.Split(script).Should().Equal(expected);

    [Theory]
    [InlineData("CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS 'select 1'; DROP TABLE customers")]
    [InlineData("CREATE FUNCTION begin() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; DROP TABLE customers")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS case; END; DROP TABLE customers")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 case; END; DROP TABLE customers")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT t.case FROM t; END; DROP TABLE customers")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 end; END; DROP TABLE customers")]
    public void What_only_looks_like_a_block_hides_no_statement_from_exec_or_the_analyzer(string sql)
    {
        // psql's heuristic would merge these into one statement; the server runs the DROP on its own, and so does exec.
        SqlScript.Split(sql).Should().HaveCount(2).And.HaveElementAt(1, "DROP TABLE customers");
        Vigil.Analysis.Static.Postgres.PgStatementSplitter.Split(sql).Should().HaveCount(2);
        Vigil.Analysis.Static.Postgres.PostgresAnalyzer.Analyze(sql).Level.Should().Be(Vigil.Analysis.RiskLevel.High);
    }

    [Fact]
    public void A_routine_body_is_rated_as_the_definition_it_is_and_dangerous_names_inside_it_still_count()
    {
        // The body is stored, not run, as with AS '…': a definition is Medium, never Low; a dangerous call inside it is High.
        Vigil.Analysis.Static.Postgres.PostgresAnalyzer.Analyze("CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM customers; END")
            .Level.Should().Be(Vigil.Analysis.RiskLevel.Medium);
        Vigil.Analysis.Static.Postgres.PostgresAnalyzer.Analyze("CREATE FUNCTION f() RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT pg_read_file('/etc/passwd'); END")
            .Level.Should().Be(Vigil.Analysis.RiskLevel.High);
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
