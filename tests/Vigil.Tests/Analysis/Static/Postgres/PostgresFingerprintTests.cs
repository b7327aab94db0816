using Vigil.Analysis.Static.Postgres;

namespace Vigil.Tests.Analysis.Static.Postgres;

public sealed class PostgresFingerprintTests
{
    [Theory]
    [InlineData("SELECT * FROM t WHERE id = 42", "select * from t where id = $1")]
    [InlineData("select a, 'x', E'y', B'01', X'ff', $$z$$, 1.5 from t", "select a, $1, $2, $3, $4, $5, $6 from t")]
    [InlineData("SELECT count(*) FROM \"MyTable\"", "select count(*) from \"MyTable\"")]
    [InlineData("  SELECT\n\t1 ;", "select $1")]
    [InlineData("-- c\nSELECT /* x */ 1", "select $1")]
    [InlineData("select $1, 5 from t where a = $2", "select $1, $3 from t where a = $2")]
    [InlineData("DO $$ BEGIN NULL; END $$", "do $1")]
    [InlineData("select 1; select 2;", "select $1; select $2")]
    [InlineData("", "")]
    public void Normalizes_like_pg_stat_statements(string sql, string expected) =>
        PostgresFingerprint.Compute(sql).Should().Be(expected);

    [Theory]
    [InlineData("SELECT * FROM t WHERE id = 42", "select *   from t where ID=7 -- note")]
    [InlineData("UPDATE t SET a = 'x' WHERE b = 1", "/* hi */ update T set A='other' where B = 99;")]
    [InlineData("SELECT count(*) FROM t", "select count (*) from t")]
    [InlineData("SELECT E'a\\'b'", "select 'c'")]
    [InlineData("SELECT a.b FROM s.t", "select a . b from s . t")]
    public void Same_statement_modulo_literals_whitespace_case_and_comments_has_one_fingerprint(string a, string b) =>
        PostgresFingerprint.Compute(a).Should().Be(PostgresFingerprint.Compute(b));

    [Theory]
    [InlineData("SELECT * FROM t WHERE id = 1", "SELECT * FROM u WHERE id = 1")]
    [InlineData("SELECT * FROM t WHERE id = 1", "SELECT * FROM t WHERE id < 1")]
    [InlineData("SELECT a <= b", "SELECT a < = b")]
    [InlineData("SELECT * FROM \"T\"", "SELECT * FROM t")]
    [InlineData("DELETE FROM t", "DELETE FROM t WHERE id = 1")]
    [InlineData("SELECT ab", "SELECT a b")]
    public void Different_structure_has_different_fingerprints(string a, string b) =>
        PostgresFingerprint.Compute(a).Should().NotBe(PostgresFingerprint.Compute(b));
}
