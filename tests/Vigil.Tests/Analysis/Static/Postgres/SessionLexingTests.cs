using Vigil.Analysis;
using Vigil.Analysis.Static;
using Vigil.Analysis.Static.Postgres;
using Vigil.Adapters.Exec;

namespace Vigil.Tests.Analysis.Static.Postgres;

/// <summary>
/// The lexer sees the statement the server will see: standard_conforming_strings, U&amp; names and strings with
/// UESCAPE, client encodings, and the gaps found by sending statements to a real server (issue 10 §1).
/// </summary>
public sealed class SessionLexingTests
{
    private const string Smuggled = "SELECT 'x\\', ' ; DROP TABLE t; -- '";

    private static StaticVerdict Check(string sql, RiskLevel expected, PgLexerOptions? options = null)
    {
        var verdict = PostgresAnalyzer.Analyze(sql, options);
        verdict.Level.Should().Be(expected, "{0} → {1}: {2} [{3}]", sql, verdict.Title, verdict.Explanation, verdict.Evidence);
        PostgresVerdictAssertions.ShouldBeWellFormed(verdict, sql);
        return verdict;
    }

    [Fact]
    public void With_standard_conforming_strings_off_a_backslash_ends_no_string_and_the_drop_is_a_statement()
    {
        PgStatementSplitter.Split(Smuggled, PgLexerOptions.Standard).Should().HaveCount(1);
        PgStatementSplitter.Split(Smuggled, PgLexerOptions.BackslashEscapes).Select(r => Smuggled[r])
            .Should().Equal("SELECT 'x\\', '", "DROP TABLE t");
        Check(Smuggled, RiskLevel.High, PgLexerOptions.BackslashEscapes).Evidence.Should().Contain("DROP TABLE t");
    }

    [Fact]
    public void The_opposite_setting_is_tried_whenever_a_plain_literal_holds_a_backslash()
    {
        // Reported "on", but a pipelined SET may turn it off before the server parses this: never assume.
        var verdict = Check(Smuggled, RiskLevel.High, PgLexerOptions.Standard);
        verdict.Evidence.Should().Contain("standard_conforming_strings = off");
        // Reported "off", the other way round: the string the session sees hides a call to the server under "on".
        Check("SELECT 'a\\', pg_terminate_backend(42) --'", RiskLevel.High, PgLexerOptions.BackslashEscapes);
    }

    [Theory]
    [InlineData("SELECT 'C:\\temp\\' AS path")]
    [InlineData("SELECT * FROM files WHERE path LIKE 'C:\\%' LIMIT 5")]
    [InlineData("SELECT E'a\\'b' AS x")]
    public void A_reading_the_server_would_reject_adds_nothing(string sql)
    {
        // Under the opposite setting these leave a literal open: PostgreSQL rejects the whole message before running any of it.
        Check(sql, RiskLevel.Low, PgLexerOptions.Standard);
    }

    [Fact]
    public void N_strings_follow_the_setting_and_bit_strings_never_double_quotes()
    {
        PgStatementSplitter.Split("SELECT N'a\\'; DROP TABLE t; --'", PgLexerOptions.Standard).Should().HaveCount(2);
        PgStatementSplitter.Split("SELECT N'a\\'; DROP TABLE t; --'", PgLexerOptions.BackslashEscapes).Should().HaveCount(1);
        // B'…' and X'…' have no '' escape in scan.l: the second quote starts a new literal.
        PgLexer.Tokenize("SELECT B'01''x'").Select(t => t.Kind).Should().Equal(
            PgTokenKind.Identifier, PgTokenKind.BitString, PgTokenKind.String);
    }

    [Theory]
    [InlineData("SELECT U&\"\\0070g_terminate_backend\"(pid) FROM pg_stat_activity")]
    [InlineData("SELECT U&\"!0070g_terminate_backend\" UESCAPE '!' (pid) FROM pg_stat_activity")]
    [InlineData("SELECT U&\"pg_terminate_backend\"(42)")]
    [InlineData("SELECT \"pg_terminate_backend\"(42)")]
    [InlineData("SELECT PG_TERMINATE_BACKEND(42)")]
    [InlineData("SELECT pg_catalog.U&\"\\+000070g_read_file\"('/etc/passwd')")]
    [InlineData("SELECT rolpassword FROM U&\"pg\\005fauthid\"")]
    [InlineData("SELECT set_config(U&'log\\005fstatement', 'none', false)")]
    [InlineData("SELECT set_config(E'log\\137statement', 'none', false)")]
    [InlineData("SET \"log_statement\" = 'none'")]
    [InlineData("SET U&\"log!005fstatement\" UESCAPE '!' = 'none'")]
    [InlineData("DO E'BEGIN EXECUTE ''DROP TABLE t''; END'")]
    public void Names_and_strings_are_compared_as_the_server_decodes_them(string sql) => Check(sql, RiskLevel.High);

    [Theory]
    [InlineData("SELECT \"PG_TERMINATE_BACKEND\"(42)")]
    [InlineData("SELECT U&\"\\0050G_TERMINATE_BACKEND\"(42)")]
    public void Quoted_names_keep_their_case(string sql) =>
        PostgresAnalyzer.Analyze(sql).Title.Should().NotBe("Session termination", "a quoted name is not folded: {0} calls another function", sql);

    [Fact]
    public void The_literal_decoder_follows_section_4_1_2()
    {
        string Text(string sql, PgLexerOptions? options = null)
        {
            var token = PgLexer.Tokenize(sql, options: options)[0];
            return PgLiterals.Text(sql, token, options ?? PgLexerOptions.Standard);
        }

        Text("'it''s'").Should().Be("it's");
        Text("'a\\nb'").Should().Be("a\\nb");
        Text("'a\\nb'", PgLexerOptions.BackslashEscapes).Should().Be("a\nb");
        Text("E'\\x41\\101\\u0041\\U00000041\\q'").Should().Be("AAAAq");
        Text("U&'d\\0061t\\+000061'").Should().Be("data");
        Text("$tag$ x $ y $tag$").Should().Be(" x $ y ");
        PgLiterals.Name("U&\"a\"\"b\"", PgLexer.Tokenize("U&\"a\"\"b\"")[0]).Should().Be("a\"b");
        PgLiterals.Name("SeLeCt", PgLexer.Tokenize("SeLeCt")[0]).Should().Be("select");
    }

    [Theory]
    [InlineData("SET client_encoding TO 'SJIS'")]
    [InlineData("set client_encoding = sjis")]
    [InlineData("SET NAMES 'BIG5'")]
    [InlineData("SET SESSION client_encoding TO 'Windows936'")]
    [InlineData("SET client_encoding TO 'GB18030'")]
    [InlineData("SET client_encoding TO 'johab'")]
    [InlineData("SET client_encoding TO 'Shift_JIS_2004'")]
    [InlineData("SET client_encoding = 'SJ'\n'IS'")]
    [InlineData("SELECT set_config('client_encoding', 'SJIS', false)")]
    [InlineData("ALTER ROLE app SET client_encoding = 'SJIS'")]
    [InlineData("ALTER DATABASE app SET client_encoding TO 'gbk'")]
    public void Setting_a_refused_client_encoding_is_high_and_names_it(string sql)
    {
        var verdict = Check(sql, RiskLevel.High);
        verdict.Title.Should().Be("Unsafe client encoding");
        verdict.Certain.Should().BeTrue();
        PgClientEncodings.RefusedNames.Should().Contain(n => verdict.Explanation.Contains(n, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("SET client_encoding TO 'UTF8'")]
    [InlineData("SET NAMES 'LATIN1'")]
    [InlineData("SET client_encoding TO 'UHC'")]
    [InlineData("SET client_encoding TO DEFAULT")]
    public void Other_encodings_are_ordinary_settings(string sql) => Check(sql, RiskLevel.Low);

    [Theory]
    [InlineData("SELECT * FROM accounts WHERE id = 7 FOR UPDATE")]
    [InlineData("BEGIN; SELECT * FROM orders WHERE id = 1 FOR SHARE; COMMIT;")]
    [InlineData("SELECT id FROM jobs FOR NO KEY UPDATE SKIP LOCKED LIMIT 1")]
    [InlineData("SELECT id FROM jobs WHERE state = 'new' FOR KEY SHARE")]
    public void A_row_lock_scoped_by_a_filter_or_limit_is_an_ordinary_read(string sql) => Check(sql, RiskLevel.Low);

    [Theory]
    [InlineData("SELECT setval('orders_id_seq', 1)", "Sequence reset")]
    [InlineData("SELECT setval('orders_id_seq', 1, false) FROM orders LIMIT 1", "Sequence reset")]
    [InlineData("SELECT * FROM orders FOR UPDATE", "Locks all rows")]
    [InlineData("SET search_path TO evil, public", "Search path change")]
    [InlineData("SET SCHEMA 'evil'", "Search path change")]
    [InlineData("RESET search_path", "Search path change")]
    [InlineData("SET ROLE admin", "Role switch")]
    [InlineData("SET ROLE NONE", "Role switch")]
    [InlineData("SET \"role\" TO admin", "Role switch")]
    [InlineData("SET SESSION AUTHORIZATION postgres", "Role switch")]
    [InlineData("SET SESSION AUTHORIZATION DEFAULT", "Role switch")]
    [InlineData("RESET ROLE", "Role switch")]
    [InlineData("RESET SESSION AUTHORIZATION", "Role switch")]
    [InlineData("SELECT pg_advisory_lock(42)", "Advisory lock")]
    [InlineData("SELECT pg_advisory_xact_lock(1, 2)", "Advisory lock")]
    [InlineData("SELECT pg_try_advisory_lock_shared(42)", "Advisory lock")]
    [InlineData("SELECT pg_try_advisory_xact_lock(42)", "Advisory lock")]
    [InlineData("SELECT lo_unlink(16400)", "Large object write")]
    [InlineData("SELECT lo_put(16400, 0, '\\xdead')", "Large object write")]
    [InlineData("SELECT lo_truncate(lo_open(16400, 131072), 0)", "Large object write")]
    [InlineData("SELECT lo_from_bytea(0, 'payload')", "Large object write")]
    [InlineData("SELECT lowrite(0, 'x')", "Large object write")]
    [InlineData("SELECT pg_cancel_backend(42)", "Query cancellation")]
    [InlineData("SELECT pg_reload_conf()", "Server interference")]
    [InlineData("SELECT pg_rotate_logfile()", "Server interference")]
    [InlineData("SELECT pg_stat_reset_shared('bgwriter')", "Server interference")]
    [InlineData("SELECT pg_replication_slot_advance('s', '0/0')", "Server interference")]
    [InlineData("SELECT set_config('search_path', 'evil', false)", "Server interference")]
    public void Writes_locks_and_session_changes_hidden_in_reads_or_settings_are_medium(string sql, string title) =>
        Check(sql, RiskLevel.Medium).Title.Should().Be(title);

    [Theory]
    [InlineData("SELECT nextval('orders_id_seq')")]
    [InlineData("DISCARD ALL")]
    [InlineData("discard temp")]
    [InlineData("SELECT pg_advisory_unlock(42)")]
    [InlineData("SELECT lo_get(16400)")]
    [InlineData("SET statement_timeout = '5s'")]
    [InlineData("RESET statement_timeout")]
    public void Routine_calls_and_settings_stay_low(string sql) => Check(sql, RiskLevel.Low);

    [Theory]
    [InlineData("select 1 -- trailing; comment\n; select 2", new[] { "select 1 -- trailing; comment", "select 2" })]
    [InlineData("select 'a\\'; select 2", new[] { "select 'a\\'", "select 2" })]
    [InlineData("select (1; 2); select 3", new[] { "select (1; 2)", "select 3" })]
    [InlineData("/* a /* b; */ c; */ select 4; $q$;$q$", new[] { "/* a /* b; */ c; */ select 4", "$q$;$q$" })]
    public void Exec_cuts_scripts_where_the_analyzer_does(string script, string[] expected)
    {
        SqlScript.Split(script).Should().Equal(expected);
        SqlScript.Split(script).Should().HaveCount(PgStatementSplitter.Split(script).Count);
    }

    [Fact]
    public void Exec_cuts_with_the_targets_setting()
    {
        const string script = "select 'a\\'; select 2; --'";
        SqlScript.Split(script, PgLexerOptions.Standard).Should().HaveCount(2);
        SqlScript.Split(script, PgLexerOptions.BackslashEscapes).Should().Equal("select 'a\\'; select 2; --'");
    }

    [Fact]
    public void The_fingerprint_follows_the_setting()
    {
        PostgresFingerprint.Compute(Smuggled, PgLexerOptions.Standard).Should().Be("select $1, $2");
        PostgresFingerprint.Compute(Smuggled, PgLexerOptions.BackslashEscapes).Should().Contain("drop table t");
        StaticAnalyzer.Analyze(InputType.Postgres, Smuggled, PgLexerOptions.BackslashEscapes).Level.Should().Be(RiskLevel.High);
    }
}
