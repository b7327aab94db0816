using Vigil.Analysis.Static.Postgres;

namespace Vigil.Tests.Analysis.Static.Postgres;

public sealed class PgStatementSplitterTests
{
    [Theory]
    [InlineData("select 1; select 2", new[] { "select 1", "select 2" })]
    [InlineData("select ';'; select 2;", new[] { "select ';'", "select 2" })]
    [InlineData("select E'a\\'; b'; select 3", new[] { "select E'a\\'; b'", "select 3" })]
    [InlineData("do $$ begin perform 1; end $$; select 4", new[] { "do $$ begin perform 1; end $$", "select 4" })]
    [InlineData("select (1; 2); select 5", new[] { "select (1; 2)", "select 5" })]
    [InlineData("select 1 -- x;\n; /* ; */ select 6", new[] { "select 1", "select 6" })]
    [InlineData(" ; ;; -- only a comment\n", new string[0])]
    [InlineData("select \"a;b\" from t", new[] { "select \"a;b\" from t" })]
    [InlineData("select ) ; select 7", new[] { "select )", "select 7" })]
    public void Splits_at_top_level_semicolons(string sql, string[] expected) =>
        PgStatementSplitter.Split(sql).Select(r => sql[r]).Should().Equal(expected);
}
