using System.Buffers;
using System.Text;
using Vigil.Adapters.Exec;
using Vigil.Analysis;
using Vigil.Analysis.Static.Postgres;
using Vigil.Postgres.Protocol;
using Vigil.Tests.Fixtures;
using Xunit.Abstractions;

namespace Vigil.Tests.Analysis;

/// <summary>
/// The server is the oracle (issue 10 §1): seeded random multi-statement strings that mix quotes, escapes, dollar quotes,
/// nested comments, U&amp; forms, E'' and N'' strings, bit strings and literal continuations are sent as one simple
/// Query to the real PostgreSQL, with standard_conforming_strings on and off, inside a transaction that is rolled
/// back. The statements the server ran (one CommandComplete each) must be, in number and kind, the statements Vigil's
/// splitter cut under the session's setting; and whenever the server ran a DROP, the analyzer calls the string High
/// whichever setting it was told, because it never assumes the setting.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class DifferentialLexerTests(GatewayFixture gateway, ITestOutputHelper output)
{
    private const int CasesPerSetting = 300;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Vigil_splits_and_classifies_what_the_server_executes(bool standardConformingStrings)
    {
        var options = PgLexerOptions.FromSetting(standardConformingStrings ? "on" : "off");
        await using var server = await RawPgClient.ConnectAsync(gateway.Postgres.Port);
        await server.SendAsync(w => FrontendMessageWriter.WriteStartupMessage(w, new Dictionary<string, string>
        {
            ["user"] = "clearuser", ["database"] = "app",
            ["options"] = $"-c standard_conforming_strings={(standardConformingStrings ? "on" : "off")} -c escape_string_warning=off",
        }));
        (await server.ReadAsync()).Code.Should().Be(BackendMessageCode.Authentication);
        await server.SendAsync(w => FrontendMessageWriter.WritePasswordMessage(w, GatewayFixture.ClearPassword));
        while ((await server.ReadAsync()).Code is not (BackendMessageCode.ReadyForQuery or BackendMessageCode.ErrorResponse or 0))
        {
        }

        (await RunAsync(server, "SHOW standard_conforming_strings")).Error.Should().BeNull();

        var random = new Random(standardConformingStrings ? 20261130 : 11302026);
        var generator = new SqlGenerator(random, standardConformingStrings);
        var drops = 0;
        for (var n = 0; n < CasesPerSetting; n++)
        {
            var sql = generator.Script();
            (await RunAsync(server, "BEGIN; CREATE TEMP TABLE d (x text)")).Error.Should().BeNull();
            var (tags, error) = await RunAsync(server, sql);
            (await RunAsync(server, "ROLLBACK")).Error.Should().BeNull();
            error.Should().BeNull("case {0}: the generator writes valid SQL, so an error means it and the server disagree:\n{1}", n, sql);

            var seen = PgStatementSplitter.Split(sql, options).Select(r => Kind(sql[r])).ToList();
            var ran = tags.Select(ServerKind).ToList();
            seen.Should().Equal(ran, "case {0} with standard_conforming_strings={1}:\n{2}", n, standardConformingStrings, sql);
            if (ran.Contains("DROP TABLE"))
            {
                drops++;
                PostgresAnalyzer.Analyze(sql, options).Level.Should().Be(RiskLevel.High, "the session's setting: {0}", sql);
                PostgresAnalyzer.Analyze(sql, options.Opposite).Level.Should().Be(RiskLevel.High, "a stale setting: {0}", sql);
            }
        }

        output.WriteLine($"{CasesPerSetting} strings, {drops} with a DROP, standard_conforming_strings={standardConformingStrings}");
        drops.Should().BePositive();
    }

    /// <summary>
    /// SQL-standard routine bodies (gram.y <c>opt_routine_body</c>) against the server: a body stays one statement, and
    /// nothing that merely looks like psql's BEGIN … END block (a function named begin, a column aliased case or end,
    /// a field named case) hides the statement after it.
    /// </summary>
    [Theory]
    [InlineData("CREATE FUNCTION pg_temp.begin() RETURNS int LANGUAGE sql AS 'select 1'; DROP TABLE d")]
    [InlineData("CREATE FUNCTION pg_temp.begin() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; DROP TABLE d")]
    [InlineData("CREATE FUNCTION pg_temp.f(a int) RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN CASE a WHEN 1 THEN 1 ELSE 2 END ELSE 0 END; SELECT ';'; END; SELECT 1")]
    [InlineData("CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS case; END; DROP TABLE d")]
    [InlineData("CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 case; END; DROP TABLE d")]
    [InlineData("CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 end; END; DROP TABLE d")]
    [InlineData("CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END end; END; DROP TABLE d")]
    [InlineData("CREATE TABLE c (\"case\" int, \"end\" int); CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT c.case FROM c; SELECT c.end FROM c; END; DROP TABLE d")]
    [InlineData("CREATE PROCEDURE pg_temp.p() LANGUAGE sql BEGIN ATOMIC INSERT INTO d VALUES ('a;b; end'); END; DROP TABLE d CASCADE")]
    [InlineData("CREATE FUNCTION pg_temp.f(begin int) RETURNS TABLE (x text) LANGUAGE sql BEGIN ATOMIC SELECT d.x FROM d WHERE d.x = 'end' LIMIT begin; END; SELECT 3")]
    [InlineData("CREATE PROCEDURE pg_temp.p() LANGUAGE sql BEGIN ATOMIC END; SELECT 4")]
    [InlineData("create function pg_temp.f() returns int language sql return 1; begin; select 5")]
    public async Task Routine_bodies_are_cut_where_the_server_cuts_them(string sql)
    {
        await using var server = await RawPgClient.ConnectAsync(gateway.Postgres.Port);
        await server.SendAsync(w => FrontendMessageWriter.WriteStartupMessage(w, new Dictionary<string, string> { ["user"] = "clearuser", ["database"] = "app" }));
        (await server.ReadAsync()).Code.Should().Be(BackendMessageCode.Authentication);
        await server.SendAsync(w => FrontendMessageWriter.WritePasswordMessage(w, GatewayFixture.ClearPassword));
        while ((await server.ReadAsync()).Code is not (BackendMessageCode.ReadyForQuery or BackendMessageCode.ErrorResponse or 0))
        {
        }

        // A transaction that is rolled back (the last case's BEGIN only warns).
        (await RunAsync(server, "BEGIN; CREATE TEMP TABLE d (x text)")).Error.Should().BeNull();
        var (tags, error) = await RunAsync(server, sql);
        (await RunAsync(server, "ROLLBACK")).Error.Should().BeNull();
        error.Should().BeNull(sql);

        var ran = tags.Select(ServerKind).ToList();
        PgStatementSplitter.Split(sql).Select(r => Kind(sql[r])).Should().Equal(ran, sql);
        SqlScript.Split(sql).Select(Kind).Should().Equal(ran, "exec runs what the analyzer classified: {0}", sql);
        if (ran.Contains("DROP TABLE"))
        {
            PostgresAnalyzer.Analyze(sql).Level.Should().Be(RiskLevel.High, sql);
        }
    }

    /// <summary>Sends one simple Query; returns every CommandComplete tag and the first error, after ReadyForQuery.</summary>
    private static async Task<(List<string> Tags, string? Error)> RunAsync(RawPgClient server, string sql)
    {
        await server.SendAsync(w => FrontendMessageWriter.WriteQuery(w, sql));
        var tags = new List<string>();
        string? error = null;
        while (true)
        {
            var (code, body) = await server.ReadAsync();
            switch (code)
            {
                case 0:
                    throw new InvalidOperationException("the server closed the connection");
                case BackendMessageCode.CommandComplete:
                    tags.Add(CommandCompleteMessage.Parse(new ReadOnlySequence<byte>(body)).Tag);
                    break;
                case BackendMessageCode.ErrorResponse:
                    var e = ErrorResponseMessage.Parse(new ReadOnlySequence<byte>(body));
                    error ??= $"{e.SqlState}: {e.Message}";
                    break;
                case BackendMessageCode.ReadyForQuery:
                    return (tags, error);
            }
        }
    }

    /// <summary>The command tag a statement of ours should produce, from its leading keywords.</summary>
    private static string Kind(string statement)
    {
        var words = PgLexer.Tokenize(statement).Take(2).Select(t => t.Span(statement).ToString().ToUpperInvariant()).ToList();
        return words[0] switch
        {
            "VALUES" => "SELECT",
            "TRUNCATE" => "TRUNCATE TABLE",
            "DROP" or "CREATE" => $"{words[0]} {words[1]}",
            _ => words[0],
        };
    }

    /// <summary>The server's tag without its counts ("INSERT 0 1" → "INSERT").</summary>
    private static string ServerKind(string tag) => string.Join(' ', tag.Split(' ').Where(w => !char.IsAsciiDigit(w[0])));

    /// <summary>Valid SQL by construction, under the given standard_conforming_strings, with lexically hostile content.</summary>
    private sealed class SqlGenerator(Random random, bool standard)
    {
        private static readonly string[] Common = ["abc", ";", " ", "--", "/*", "*/", "$$", "$t$", "\"", "''", "DROP TABLE x;", "é", "\t", "\n"];

        public string Script()
        {
            var count = random.Next(1, 6);
            var text = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    text.Append(Gap()).Append(';').Append(Gap());
                }

                text.Append(Statement());
            }

            if (random.Next(3) == 0)
            {
                text.Append(';').Append(Gap());
            }

            return text.ToString();
        }

        private string Statement() => random.Next(11) switch
        {
            0 => $"SELECT {Expression()}{Alias()}",
            1 => $"SELECT {Expression()},{Gap()}{Expression()}",
            2 => $"VALUES ({Expression()})",
            3 => $"INSERT INTO d VALUES ({Expression()})",
            4 => $"UPDATE d SET x = {Expression()} WHERE x = {Literal(inSet: false)}",
            5 => $"DELETE FROM d WHERE x = {Literal(inSet: false)}",
            6 => $"SET application_name = {Literal(inSet: true)}",
            7 => "SHOW standard_conforming_strings",
            8 => $"DROP TABLE IF EXISTS{Gap()}vigil_never_{random.Next(100)}",
            9 => $"DO {DoBody()}",
            _ => "TRUNCATE d",
        };

        private string Expression() => random.Next(6) switch
        {
            0 => random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            1 => $"{Literal(inSet: false)}{Gap()}||{Gap()}{Literal(inSet: false)}",
            2 => $"{Literal(inSet: false)}::text",
            3 => random.Next(2) == 0 ? "B'0101'::text" : "X'1F'::text",
            _ => Literal(inSet: false),
        };

        /// <summary>A string constant; SET takes no N'…' (that is a typed NCHAR literal) and no U&amp;'…' UESCAPE.</summary>
        private string Literal(bool inSet)
        {
            var kind = random.Next(!inSet && standard ? 7 : 6);
            if (inSet && kind == 3)
            {
                kind = 0;
            }

            switch (kind)
            {
                case 0:
                    return $"E'{Pieces(["\\'", "\\\\", "\\n", "\\x41", "\\101"])}'";
                case 1:
                    return DollarLiteral();
                case 2:
                    // A continuation: the server joins 'a' newline 'b' into one constant.
                    return $"'{Pieces(PlainExtras())}'\n  '{Pieces(PlainExtras())}'";
                case 3:
                    return $"N'{Pieces(PlainExtras())}'";
                case 6:
                    return random.Next(2) == 0
                        ? $"U&'{Pieces(["\\0061", "\\\\", "\\+000062"])}'"
                        : $"U&'{Pieces(["!0061", "!!", "\\"])}' UESCAPE '!'";
                default:
                    return $"'{Pieces(PlainExtras())}'";
            }
        }

        /// <summary>Backslashes that are valid in a plain literal under this setting: literal with it on, escapes with it off.</summary>
        private string[] PlainExtras() => standard ? ["\\", "\\\\", "\\n"] : ["\\'", "\\\\", "\\n", "\\;"];

        /// <summary>$$…$$ or $q1$…$q1$ around anything that cannot close it early (no "q" in the pieces; no "$" in a $$ body).</summary>
        private string DollarLiteral()
        {
            var tag = random.Next(2) == 0 ? "$$" : "$q1$";
            var body = Pieces(["'", "\\", "$", "$$", "*/"]);
            return tag == "$$" ? $"$${body.Replace("$", "", StringComparison.Ordinal)}$$" : $"$q1${body}$q1$";
        }

        /// <summary>A DO body: PL/pgSQL, which lexes its own literals with the same setting.</summary>
        private string DoBody()
        {
            var tag = random.Next(2) == 0 ? "$$" : "$q1$";
            return $"{tag} BEGIN PERFORM '{Pieces(["abc", ";", "--", "/*", "''", "\"", " "], common: false)}'; END {tag}";
        }

        private string Pieces(string[] extras, bool common = true)
        {
            var text = new StringBuilder();
            for (var n = random.Next(0, 6); n > 0; n--)
            {
                var pool = !common || random.Next(2) == 0 ? extras : Common;
                text.Append(pool[random.Next(pool.Length)]);
            }

            return text.ToString();
        }

        private string Alias() => random.Next(4) switch
        {
            0 => " AS \"a;b\"\"c\"",
            1 => standard || random.Next(2) == 0 ? " AS U&\"\\0061;\"" : " AS col",
            2 => " AS U&\"!0061-- x\" UESCAPE '!'",
            _ => "",
        };

        private string Gap() => random.Next(6) switch
        {
            0 => " -- note; 'quote' \"dq\" $$ /*\n",
            1 => " /* outer /* nested ; ' */ still ; $$ */ ",
            2 => "\n\t",
            _ => " ",
        };
    }
}
