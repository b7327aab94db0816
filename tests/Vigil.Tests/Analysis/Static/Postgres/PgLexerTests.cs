using Vigil.Analysis.Static.Postgres;

namespace Vigil.Tests.Analysis.Static.Postgres;

public sealed class PgLexerTests
{
    private static List<(PgTokenKind Kind, string Text, bool Terminated)> Lex(string sql, bool comments = true) =>
        PgLexer.Tokenize(sql, comments).Select(t => (t.Kind, t.Span(sql).ToString(), t.Terminated)).ToList();

    private static (PgTokenKind Kind, string Text, bool Terminated) Single(string sql)
    {
        var tokens = Lex(sql);
        tokens.Should().ContainSingle("{0} is one token", sql);
        return tokens[0];
    }

    [Theory]
    [InlineData("select", PgTokenKind.Identifier)]
    [InlineData("SeLeCt", PgTokenKind.Identifier)]
    [InlineData("_x$1", PgTokenKind.Identifier)]
    [InlineData("tablé", PgTokenKind.Identifier)]
    [InlineData("\"My \"\"Table\"\"\"", PgTokenKind.QuotedIdentifier)]
    [InlineData("U&\"d\\0061t\"", PgTokenKind.QuotedIdentifier)]
    [InlineData("'it''s'", PgTokenKind.String)]
    [InlineData("N'national'", PgTokenKind.String)]
    [InlineData("E'\\''", PgTokenKind.EscapeString)]
    [InlineData("e'a\\\\b\\n'", PgTokenKind.EscapeString)]
    [InlineData("U&'d\\0061t'", PgTokenKind.UnicodeString)]
    [InlineData("B'0101'", PgTokenKind.BitString)]
    [InlineData("x'1F'", PgTokenKind.HexString)]
    [InlineData("$$body; 'x'$$", PgTokenKind.DollarString)]
    [InlineData("$tag$ $$ $tag$", PgTokenKind.DollarString)]
    [InlineData("$a1$x$a1$", PgTokenKind.DollarString)]
    [InlineData("42", PgTokenKind.Number)]
    [InlineData("3.14", PgTokenKind.Number)]
    [InlineData(".5e-3", PgTokenKind.Number)]
    [InlineData("1E10", PgTokenKind.Number)]
    [InlineData("0x1F", PgTokenKind.Number)]
    [InlineData("1_000_000", PgTokenKind.Number)]
    [InlineData("$1", PgTokenKind.Parameter)]
    [InlineData("$12", PgTokenKind.Parameter)]
    [InlineData("<>", PgTokenKind.Operator)]
    [InlineData("||", PgTokenKind.Operator)]
    [InlineData("::", PgTokenKind.Operator)]
    [InlineData(":=", PgTokenKind.Operator)]
    [InlineData("@>", PgTokenKind.Operator)]
    [InlineData("(", PgTokenKind.OpenParen)]
    [InlineData(")", PgTokenKind.CloseParen)]
    [InlineData("[", PgTokenKind.OpenBracket)]
    [InlineData("]", PgTokenKind.CloseBracket)]
    [InlineData(",", PgTokenKind.Comma)]
    [InlineData(";", PgTokenKind.Semicolon)]
    [InlineData(".", PgTokenKind.Dot)]
    [InlineData("-- comment ; 'x'", PgTokenKind.LineComment)]
    [InlineData("/* a /* nested */ b */", PgTokenKind.BlockComment)]
    [InlineData("$", PgTokenKind.Unknown)]
    [InlineData("\u0001", PgTokenKind.Unknown)]
    public void Each_kind_is_one_token(string sql, PgTokenKind kind)
    {
        var token = Single(sql);
        token.Kind.Should().Be(kind);
        token.Text.Should().Be(sql);
        token.Terminated.Should().BeTrue();
    }

    [Theory]
    [InlineData("'abc", PgTokenKind.String)]
    [InlineData("E'abc\\'", PgTokenKind.EscapeString)]
    [InlineData("\"abc", PgTokenKind.QuotedIdentifier)]
    [InlineData("$$abc", PgTokenKind.DollarString)]
    [InlineData("$tag$ abc $$ ; drop", PgTokenKind.DollarString)]
    [InlineData("/* a /* b */", PgTokenKind.BlockComment)]
    [InlineData("U&'x", PgTokenKind.UnicodeString)]
    public void Unterminated_forms_run_to_the_end(string sql, PgTokenKind kind)
    {
        var token = Single(sql);
        token.Kind.Should().Be(kind);
        token.Text.Should().Be(sql);
        token.Terminated.Should().BeFalse();
    }

    [Fact]
    public void Line_comment_ends_at_the_newline() =>
        Lex("select 1 -- x\nfrom t").Select(t => t.Kind).Should().Equal(
            PgTokenKind.Identifier, PgTokenKind.Number, PgTokenKind.LineComment, PgTokenKind.Identifier, PgTokenKind.Identifier);

    [Fact]
    public void Nested_block_comment_hides_everything_inside() =>
        Lex("/* outer /* inner */ drop table t; */ select", comments: false).Select(t => t.Text).Should().Equal("select");

    [Fact]
    public void Escape_string_backslash_quote_does_not_end_the_string() =>
        Lex("E'\\''; x", comments: false).Select(t => t.Text).Should().Equal("E'\\''", ";", "x");

    [Fact]
    public void Standard_string_backslash_is_literal() =>
        Lex("'\\'; x", comments: false).Select(t => t.Text).Should().Equal("'\\'", ";", "x");

    [Fact]
    public void Dollar_tag_requires_the_same_tag_to_close() =>
        Lex("$tag$ $$ $other$ $tag$ x").Select(t => t.Text).Should().Equal("$tag$ $$ $other$ $tag$", "x");

    [Fact]
    public void Dollar_inside_identifier_is_not_a_quote() =>
        Lex("a$b $1").Select(t => (t.Kind, t.Text)).Should().Equal((PgTokenKind.Identifier, "a$b"), (PgTokenKind.Parameter, "$1"));

    [Theory]
    [InlineData("x=-1", new[] { "x", "=", "-", "1" })]
    [InlineData("a<-b", new[] { "a", "<", "-", "b" })]
    [InlineData("a @- b", new[] { "a", "@-", "b" })]
    [InlineData("a--b", new[] { "a", "--b" })]
    [InlineData("a+/*c*/b", new[] { "a", "+", "/*c*/", "b" })]
    [InlineData("x::text", new[] { "x", "::", "text" })]
    [InlineData("1..2", new[] { "1", ".", ".", "2" })]
    [InlineData("t.col", new[] { "t", ".", "col" })]
    public void Operators_end_where_postgres_ends_them(string sql, string[] texts)
    {
        var tokens = Lex(sql).Select(t => t.Text).ToList();
        if (sql == "1..2")
        {
            tokens.First().Should().Be("1");
            return;
        }

        tokens.Should().Equal(texts);
    }

    [Fact]
    public void Prefix_letters_only_prefix_a_quote() =>
        Lex("e x b'1' type 'a'").Select(t => t.Kind).Should().Equal(
            PgTokenKind.Identifier, PgTokenKind.Identifier, PgTokenKind.BitString, PgTokenKind.Identifier, PgTokenKind.String);

    [Fact]
    public void Tokens_point_into_the_source_and_a_range_can_be_lexed()
    {
        const string sql = "xx select 1 yy";
        var lexer = new PgLexer(sql, 3, 11);
        var texts = new List<string>();
        while (lexer.Next(out var token))
        {
            texts.Add(sql[token.Start..token.End]);
        }

        texts.Should().Equal("select", "1");
    }

    [Theory]
    [InlineData("'it''s'", "it''s")]
    [InlineData("E'a\\'b'", "a\\'b")]
    [InlineData("$t$body$t$", "body")]
    [InlineData("$$x", "x")]
    [InlineData("\"Q\"", "Q")]
    [InlineData("U&'u'", "u")]
    public void Body_is_the_text_between_delimiters(string sql, string body) =>
        PgLexer.Tokenize(sql)[0].Body(sql).ToString().Should().Be(body);

    [Fact]
    public void Keyword_match_ignores_case_but_not_quotes()
    {
        const string sql = "DeLeTe \"delete\"";
        var tokens = PgLexer.Tokenize(sql);
        tokens[0].Is(sql, "delete").Should().BeTrue();
        tokens[1].Is(sql, "delete").Should().BeFalse();
    }
}
