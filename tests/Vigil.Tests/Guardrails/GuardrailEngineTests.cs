using System.Diagnostics;
using Vigil.Analysis.Static.Postgres;
using Vigil.Guardrails;

namespace Vigil.Tests.Guardrails;

/// <summary>
/// The matching engine on its own: whole-word, case-insensitive deny words on the lexed command (code, string
/// constants, comments; <c>match_in</c>), patterns on the raw text, ReDoS safety, and output scanning across chunks.
/// </summary>
public sealed class GuardrailEngineTests
{
    private static GuardrailRule Words(MatchIn matchIn, params string[] words) => new(GuardrailRuleType.DenyWordsList, null, null, words, null, matchIn);

    private static GuardrailRule Pattern(string pattern, string? name = null, string? message = null) => new(GuardrailRuleType.PatternMatch, name, message, [], pattern);

    private static GuardrailChecker Checker(GuardrailRule[] input, GuardrailRule[]? output = null, string name = "g1") =>
        new([new Guardrail("id-" + name, name, null, ["c"], input, output ?? [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)]);

    private static GuardrailViolation? Sql(GuardrailChecker checker, string sql, PgLexerOptions? options = null) => checker.CheckInput("postgres", sql, options);

    [Theory]
    [InlineData("DROP TABLE customers", "DROP")]
    [InlineData("select 1;Drop table t", "Drop")]
    [InlineData("select 1;\n\tdRoP table t", "dRoP")]
    public void Deny_words_match_whole_words_in_any_case(string sql, string matched)
    {
        var violation = Sql(Checker([Words(MatchIn.All, "drop")]), sql);
        violation.Should().NotBeNull();
        violation!.Matched.Should().Be(matched);
        violation.In.Should().Be("code");
        violation.Direction.Should().Be("input");
        violation.Rule.Should().Be("input[0]");
        violation.Guardrail.Should().Be("g1");
    }

    [Theory]
    [InlineData("select dropped from backdrop")]
    [InlineData("select drop_date, x.drop2 from t")]
    [InlineData("select 1")]
    public void Words_inside_longer_words_do_not_match(string sql) =>
        Sql(Checker([Words(MatchIn.All, "drop")]), sql).Should().BeNull();

    [Theory]
    [InlineData("drop   table t", "drop table")]
    [InlineData("DROP /* sneaky */ TABLE t", "DROP TABLE")]
    [InlineData("drop\n-- comment\ntable t", "drop table")]
    public void A_phrase_matches_across_white_space_and_comments_between_its_words(string sql, string matched) =>
        Sql(Checker([Words(MatchIn.Code, "drop table")]), sql)!.Matched.Should().Be(matched);

    [Fact]
    public void A_phrase_does_not_match_other_words() =>
        Sql(Checker([Words(MatchIn.All, "drop table")]), "drop index i").Should().BeNull();

    [Theory]
    [InlineData("select 'please drop it'", "all", "string")]
    [InlineData("select 1 -- drop later", "all", "comment")]
    [InlineData("select 1 /* drop */", "all", "comment")]
    [InlineData("drop table t", "all", "code")]
    [InlineData("select 'please drop it'", "code", null)]
    [InlineData("select 1 -- drop later", "code", null)]
    [InlineData("select 1 /* drop */", "code", null)]
    [InlineData("drop table t", "code", "code")]
    [InlineData("select * from \"DROP\"", "code", "code")]
    [InlineData("select 'a''drop'", "all", "string")]
    [InlineData("select 'a''drop'", "code", null)]
    public void Where_a_word_counts_follows_match_in(string sql, string matchIn, string? found)
    {
        GuardrailNames.TryParseMatchIn(matchIn, out var scope).Should().BeTrue();
        var violation = Sql(Checker([Words(scope, "drop")]), sql);
        violation?.In.Should().Be(found);
        (violation is null).Should().Be(found is null);
    }

    [Fact]
    public void Code_is_reported_before_a_string_or_comment_holding_the_same_word()
    {
        var violation = Sql(Checker([Words(MatchIn.All, "drop")]), "/* drop */ select 'drop'; drop table t");
        violation!.In.Should().Be("code");
    }

    [Fact]
    public void A_backslash_ends_a_string_only_when_standard_conforming_strings_is_on()
    {
        // With standard_conforming_strings on, 'a\' is a whole string and drop is code; off, \' escapes the quote and
        // drop is inside the string: the session's setting decides.
        const string sql = @"select 'a\' drop '";
        var checker = Checker([Words(MatchIn.Code, "drop")]);
        Sql(checker, sql, PgLexerOptions.Standard)!.In.Should().Be("code");
        Sql(checker, sql, PgLexerOptions.BackslashEscapes).Should().BeNull();
        Sql(Checker([Words(MatchIn.All, "drop")]), sql, PgLexerOptions.BackslashEscapes)!.In.Should().Be("string");
    }

    [Fact]
    public void String_constants_are_matched_as_the_server_decodes_them()
    {
        var checker = Checker([Words(MatchIn.All, "drop")]);
        var escape = Sql(checker, @"select E'dr\x6fp'");
        escape!.In.Should().Be("string");
        escape.Matched.Should().Be("drop");
        Sql(checker, @"select U&'dr\006Fp'")!.Matched.Should().Be("drop");
        Sql(checker, @"select 'dr\x6fp'", PgLexerOptions.BackslashEscapes)!.Matched.Should().Be("drop");
        Sql(checker, @"select 'dr\x6fp'", PgLexerOptions.Standard).Should().BeNull();
    }

    [Fact]
    public void Dollar_quoted_data_is_a_string_but_a_function_or_DO_body_is_code()
    {
        var code = Checker([Words(MatchIn.Code, "drop")]);
        Sql(code, "select $$drop$$").Should().BeNull();
        Sql(code, "select $tag$ it's -- drop $tag$").Should().BeNull();
        Sql(code, "DO $$BEGIN DROP TABLE t; END$$")!.In.Should().Be("code");
        Sql(code, "DO LANGUAGE plpgsql $body$BEGIN DROP TABLE t; END$body$")!.In.Should().Be("code");
        Sql(code, "create function f() returns void language sql as $f$ drop table t $f$")!.In.Should().Be("code");
        Sql(Checker([Words(MatchIn.All, "drop")]), "select $$drop$$")!.In.Should().Be("string");
        // A comment inside a body is still a comment.
        Sql(code, "DO $$BEGIN /* drop */ NULL; END$$").Should().BeNull();
    }

    [Fact]
    public void Unicode_identifiers_are_decoded_as_the_server_reads_them()
    {
        var code = Checker([Words(MatchIn.Code, "pg_authid")]);
        var plain = Sql(code, @"select * from U&""pg_\0061uthid""");
        plain!.Matched.Should().Be("pg_authid");
        plain.In.Should().Be("code");
        Sql(code, @"select * from U&""pg_!0061uthid"" UESCAPE '!'")!.Matched.Should().Be("pg_authid");
        Sql(code, @"select * from ""pg_""""authid""").Should().BeNull();
    }

    [Fact]
    public void Every_prefix_and_random_mutations_of_tricky_sql_are_checked_without_throwing()
    {
        const string sql = "DO LANGUAGE plpgsql $b$ BEGIN /* n /* e */ d */ EXECUTE E'dr\\x6fp' || U&'\\0064!' UESCAPE '!'; END $b$; "
            + "select U&\"d!0072op\" UESCAPE '!', $t$ drop $t$, 'it''s', B'0101', X'1F', $1 -- drop\n; drop table \"x\"\"y\"";
        var checkers = new[] { Checker([Words(MatchIn.All, "drop")]), Checker([Words(MatchIn.Code, "drop", "x\"y")]) };
        foreach (var options in new[] { PgLexerOptions.Standard, PgLexerOptions.BackslashEscapes })
        {
            foreach (var checker in checkers)
            {
                for (var length = 0; length <= sql.Length; length++)
                {
                    _ = Sql(checker, sql[..length], options);
                }
                Sql(checker, sql, options)!.In.Should().Be("code");
            }
        }
        const string mutations = "'\"$\\/*-;eEuU&!\n ";
        var random = new Random(11);
        for (var i = 0; i < 2_000; i++)
        {
            var chars = sql.ToCharArray();
            for (var m = random.Next(1, 6); m > 0; m--)
            {
                chars[random.Next(chars.Length)] = mutations[random.Next(mutations.Length)];
            }
            _ = Sql(checkers[i % 2], new string(chars), i % 3 == 0 ? PgLexerOptions.BackslashEscapes : PgLexerOptions.Standard);
        }
    }

    [Fact]
    public void A_qualified_name_stays_one_text_when_its_parts_touch()
    {
        var code = Checker([Words(MatchIn.Code, "pg_catalog.pg_authid")]);
        Sql(code, "select * from pg_catalog.pg_authid")!.Matched.Should().Be("pg_catalog.pg_authid");
        Sql(code, "select * from \"pg_catalog\".\"pg_authid\"")!.Matched.Should().Be("pg_catalog.pg_authid");
    }

    [Theory]
    [InlineData("shell")]
    [InlineData("kubernetes")]
    [InlineData("http")]
    public void Other_connection_types_are_all_code(string type)
    {
        var violation = Checker([Words(MatchIn.Code, "rm -rf")]).CheckInput(type, "echo 'rm -rf /' # RM -RF");
        violation!.In.Should().Be("code");
        violation.Matched.Should().Be("rm -rf");
    }

    [Fact]
    public void Patterns_match_the_raw_text()
    {
        var checker = Checker([Pattern(@"pg_sleep\s*\(", "no-sleep")]);
        var violation = Sql(checker, "select /* x */ pg_sleep (10)");
        violation!.Matched.Should().Be("pg_sleep (");
        violation.Rule.Should().Be("no-sleep");
        violation.RefusalMessage.Should().Be(@"blocked by guardrail g1: the command matches the denied pattern /pg_sleep\s*\(/");
        Sql(checker, "select 'pg_sleep(1)'")!.In.Should().Be("code");
        Sql(checker, "select pg_sleeping").Should().BeNull();
    }

    [Fact]
    public void The_refusal_message_names_the_guardrail_and_the_rule_message_or_a_default()
    {
        Sql(Checker([Words(MatchIn.All, "truncate")], name: "no-truncate"), "TRUNCATE t")!.RefusalMessage
            .Should().Be("blocked by guardrail no-truncate: the command contains the denied word 'TRUNCATE'");
        Sql(Checker([Words(MatchIn.All, "truncate")]), "select 'truncate'")!.RefusalMessage
            .Should().Be("blocked by guardrail g1: the command contains the denied word 'truncate' (in a string constant)");
        var custom = new GuardrailRule(GuardrailRuleType.DenyWordsList, "ddl", "schema changes go through migrations", ["alter"], null);
        var violation = Sql(Checker([custom], name: "prod"), "ALTER TABLE t ADD c int");
        violation!.RefusalMessage.Should().Be("blocked by guardrail prod: schema changes go through migrations");
        violation.Rule.Should().Be("ddl");
    }

    [Fact]
    public void Guardrails_run_by_name_and_rules_in_order()
    {
        var now = DateTimeOffset.UnixEpoch;
        var checker = new GuardrailChecker([
            new Guardrail("2", "b-second", null, ["c"], [Words(MatchIn.All, "delete")], [], now, now),
            new Guardrail("1", "a-first", null, ["c"], [Words(MatchIn.All, "select"), Words(MatchIn.All, "delete")], [], now, now),
        ]);
        checker.Guardrails.Should().Equal("a-first", "b-second");
        var violation = checker.CheckInput("postgres", "delete from t where id in (select 1)");
        violation!.Guardrail.Should().Be("a-first");
        violation.Rule.Should().Be("input[0]");
        violation.Matched.Should().Be("select");
        checker.HasOutputRules.Should().BeFalse();
        checker.CreateOutputScanner().Should().BeNull();
    }

    [Fact]
    public void A_linear_pattern_on_a_hostile_input_runs_on_the_non_backtracking_engine()
    {
        // ^(a+)+$ backtracks exponentially on "aaa…ab" in a backtracking engine; here it is linear.
        var checker = Checker([Pattern(@"^(a+)+$")]);
        var input = new string('a', 100_000) + "b";
        var watch = Stopwatch.StartNew();
        checker.CheckInput("shell", input).Should().BeNull();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void A_catastrophically_backtracking_pattern_times_out_and_refuses()
    {
        // A backreference forces the backtracking engine; nested quantifiers make it exponential on this input.
        var checker = Checker([Pattern(@"^(\w+\s?)*\1x$")]);
        var input = string.Concat(Enumerable.Repeat("abcd ", 40)) + "!";
        var watch = Stopwatch.StartNew();
        var violation = checker.CheckInput("shell", input);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        violation.Should().NotBeNull();
        violation!.Message.Should().Contain("took longer than 100 ms").And.Contain("refused");
        violation.RefusalMessage.Should().StartWith("blocked by guardrail g1: pattern");
    }

    [Fact]
    public void Patterns_the_non_backtracking_engine_refuses_still_compile_with_a_timeout()
    {
        GuardrailRegex.Compile(@"(\w)\1").Regex!.Options.Should().NotHaveFlag(System.Text.RegularExpressions.RegexOptions.NonBacktracking);
        GuardrailRegex.Compile(@"(\w)\1").Regex!.MatchTimeout.Should().Be(GuardrailRegex.MatchTimeout);
        GuardrailRegex.Compile(@"\d{16}").Regex!.Options.Should().HaveFlag(System.Text.RegularExpressions.RegexOptions.NonBacktracking);
        GuardrailRegex.Compile("(unclosed").Error.Should().Contain("Not enough )");
    }

    private static GuardrailOutputScanner Scanner(params GuardrailRule[] output) => Checker([], output).CreateOutputScanner()!;

    [Fact]
    public void A_word_split_across_two_chunks_is_found()
    {
        var scanner = Scanner(Words(MatchIn.All, "secret"));
        scanner.ScanChunk("the sec").Should().BeNull();
        var violation = scanner.ScanChunk("ret is out");
        violation!.Matched.Should().Be("secret");
        violation.Direction.Should().Be("output");
        violation.In.Should().Be("result");
        violation.Message.Should().Be("the result contains the denied word 'secret'");
        scanner.ScanChunk("more").Should().BeSameAs(violation);
        scanner.ScanValue("x").Should().BeSameAs(violation);
        scanner.Complete().Should().BeSameAs(violation);
    }

    [Fact]
    public void A_word_at_a_chunks_end_waits_for_the_next_chunk_or_the_end()
    {
        var scanner = Scanner(Words(MatchIn.All, "drop"));
        scanner.ScanChunk("a drop").Should().BeNull();
        scanner.ScanChunk("ped ball").Should().BeNull();
        scanner.Complete().Should().BeNull();

        var atEnd = Scanner(Words(MatchIn.All, "drop"));
        atEnd.ScanChunk("please drop").Should().BeNull();
        atEnd.Complete()!.Matched.Should().Be("drop");

        var beforeValue = Scanner(Words(MatchIn.All, "drop"));
        beforeValue.ScanChunk("please drop").Should().BeNull();
        beforeValue.ScanValue("ped")!.Matched.Should().Be("drop");
    }

    [Fact]
    public void Values_are_separate_a_word_never_spans_two()
    {
        var scanner = Scanner(Words(MatchIn.All, "secret"), Pattern(@"\d{4}-\d{4}"));
        scanner.ScanValue("sec").Should().BeNull();
        scanner.ScanValue("ret").Should().BeNull();
        scanner.ScanValue("1234-").Should().BeNull();
        scanner.ScanValue("5678").Should().BeNull();
        scanner.ScanValue("id 1234-5678")!.Matched.Should().Be("1234-5678");
    }

    [Fact]
    public void Every_split_of_a_text_into_two_chunks_finds_a_match_and_never_invents_one()
    {
        const string hit = "row 1: card 4111-1111-1111-1111 for the secret account";
        const string miss = "row 1: card 4111-1111 for the secretary; secrets";
        for (var cut = 0; cut <= hit.Length; cut++)
        {
            var words = Scanner(Words(MatchIn.All, "secret"));
            (words.ScanChunk(hit.AsSpan(..cut)) ?? words.ScanChunk(hit.AsSpan(cut..)) ?? words.Complete())!.Matched.Should().Be("secret", $"cut at {cut}");
            var pattern = Scanner(Pattern(@"\d{4}(-\d{4}){3}"));
            (pattern.ScanChunk(hit.AsSpan(..cut)) ?? pattern.ScanChunk(hit.AsSpan(cut..)) ?? pattern.Complete())!.Matched.Should().Be("4111-1111-1111-1111", $"cut at {cut}");
        }
        for (var cut = 0; cut <= miss.Length; cut++)
        {
            var scanner = Scanner(Words(MatchIn.All, "secret"), Pattern(@"\d{4}(-\d{4}){3}"));
            (scanner.ScanChunk(miss.AsSpan(..cut)) ?? scanner.ScanChunk(miss.AsSpan(cut..)) ?? scanner.Complete()).Should().BeNull($"cut at {cut}");
        }
    }

    [Fact]
    public void One_character_chunks_and_a_long_stream_keep_only_a_bounded_tail()
    {
        var scanner = Scanner(Words(MatchIn.All, "secret"));
        scanner.CarryChars.Should().Be(2 * GuardrailRequest.MaxWordChars + 2);
        for (var i = 0; i < 10_000; i++)
        {
            scanner.ScanChunk("x").Should().BeNull();
        }
        scanner.ScanChunk(" ").Should().BeNull();
        foreach (var c in "secret")
        {
            scanner.ScanChunk(c.ToString());
        }
        scanner.Complete()!.Matched.Should().Be("secret");
        Scanner(Pattern("x")).CarryChars.Should().Be(GuardrailOutputScanner.PatternCarryChars);
    }

    [Fact]
    public void A_pattern_match_longer_than_the_carry_is_documented_as_missed_across_a_boundary()
    {
        // The bound in GuardrailOutputScanner's docs: a match starting more than PatternCarryChars before the boundary.
        var scanner = Scanner(Pattern("BEGIN[a]*END"));
        scanner.ScanChunk("BEGIN" + new string('a', GuardrailOutputScanner.PatternCarryChars)).Should().BeNull();
        scanner.ScanChunk("END").Should().BeNull();
        var near = Scanner(Pattern("BEGIN[a]*END"));
        near.ScanChunk("BEGIN" + new string('a', 100)).Should().BeNull();
        near.ScanChunk("aaEND").Should().NotBeNull();
    }

    [Fact]
    public async Task Scanners_of_one_checker_are_independent_and_each_is_safe_to_share()
    {
        var checker = Checker([], [Words(MatchIn.All, "secret")]);
        var clean = checker.CreateOutputScanner()!;
        var dirty = checker.CreateOutputScanner()!;
        dirty.ScanValue("a secret").Should().NotBeNull();
        clean.ScanValue("nothing").Should().BeNull();
        clean.Violation.Should().BeNull();
        var shared = checker.CreateOutputScanner()!;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            for (var n = 0; n < 500; n++)
            {
                shared.ScanChunk(i == 3 && n == 250 ? " secret " : " clean ");
            }
        })));
        shared.Violation!.Matched.Should().Be("secret");
    }
}
