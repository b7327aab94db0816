using Vigil.Analysis.Static.Shell;

namespace Vigil.Tests.Analysis.Static.Shell;

/// <summary>Token recognition and command structure after POSIX.1-2017 §2.3 and §2.9.</summary>
public sealed class ShellTokenizerTests
{
    private static string[] Argv(ShellCommand c) => c.Words.Select(w => w.Text).ToArray();

    [Theory]
    [InlineData("echo 'a b' c", new[] { "echo", "a b", "c" })]
    [InlineData("echo \"a $HOME b\"", new[] { "echo", "a $HOME b" })]
    [InlineData("echo \"x\\\"y\\\\z\\q\"", new[] { "echo", "x\"y\\z\\q" })]
    [InlineData("echo a\\ b \\r\\m", new[] { "echo", "a b", "rm" })]
    [InlineData("r'm' -r\"f\" /", new[] { "rm", "-rf", "/" })]
    [InlineData("echo $'\\x72\\x6d' $'a\\nb'", new[] { "echo", "rm", "a\nb" })]
    [InlineData("echo ${HOME:-/root} $((1+2))", new[] { "echo", "${HOME:-/root}", "$((1+2))" })]
    [InlineData("echo a#b # comment here", new[] { "echo", "a#b" })]
    [InlineData("echo 'unterminated", new[] { "echo", "unterminated" })]
    [InlineData("echo \"unterminated $(ls", new[] { "echo", "unterminated $(ls" })]
    public void Words_are_quote_removed(string input, string[] expected)
    {
        var script = ShellTokenizer.Parse(input);
        Argv(script.Commands[0]).Should().Equal(expected);
    }

    [Fact]
    public void Operators_are_recognized_by_longest_match()
    {
        var tokens = ShellTokenizer.Tokenize("a||b&&c;d&e|f |& g;;h >>x 2>&1 &>y <<<z <>w >|v");
        tokens.Where(t => t.Kind == ShellTokenKind.Operator).Select(t => t.Text).Should()
            .Equal("||", "&&", ";", "&", "|", "|&", ";;", ">>", ">&", "&>", "<<<", "<>", ">|");
        tokens.Single(t => t.Kind == ShellTokenKind.IoNumber).Text.Should().Be("2");
    }

    [Fact]
    public void Connectors_record_how_commands_join()
    {
        var script = ShellTokenizer.Parse("a | b && c || d; e & f");
        script.Commands.Select(c => c.Connector).Should().Equal(
            ShellConnector.Pipe, ShellConnector.And, ShellConnector.Or, ShellConnector.Sequence, ShellConnector.Background, ShellConnector.End);
        script.Commands[0].Pipelines[0].Pipeline.Should().BeSameAs(script.Commands[1].Pipelines[0].Pipeline);
        script.Commands[1].Pipelines[0].Stage.Should().Be(1);
        script.Commands[1].Pipelines[0].Pipeline.Stages.Should().Be(2);
    }

    [Fact]
    public void Redirections_are_attached_with_their_descriptor()
    {
        var c = ShellTokenizer.Parse("cmd arg 2>/dev/null >> out.log <in 3<&0 &> all").Commands.Single();
        Argv(c).Should().Equal("cmd", "arg");
        c.Redirections.Select(r => (r.Fd, r.Operator, r.Target.Text)).Should().Equal(
            (2, ">", "/dev/null"), (null, ">>", "out.log"), (null, "<", "in"), (3, "<&", "0"), (null, "&>", "all"));
        c.Redirections[0].IsFileOutput.Should().BeTrue();
        c.Redirections[3].IsFileInput.Should().BeFalse();
    }

    [Fact]
    public void Here_strings_and_heredocs_carry_their_text()
    {
        var script = ShellTokenizer.Parse("bash <<< 'rm -rf /'\ncat <<-EOF > f\n\tline $(id)\n\tEOF\necho after");
        script.Commands[0].Redirections.Single().InlineText.Should().Be("rm -rf /");
        var cat = script.Commands[1];
        cat.Redirections[0].HeredocBody.Should().Be("line $(id)\n");
        cat.Redirections[1].Target.Text.Should().Be("f");
        script.Commands.Select(c => c.Words.FirstOrDefault().Text).Should().Contain(["id", "echo"]);
    }

    [Fact]
    public void Quoted_heredoc_delimiters_do_not_expand()
    {
        var script = ShellTokenizer.Parse("cat <<'EOF'\n$(rm -rf /)\nEOF\n");
        script.Commands.Should().ContainSingle();
    }

    [Fact]
    public void Unterminated_heredoc_runs_to_the_end()
    {
        var c = ShellTokenizer.Parse("cat <<EOF\nno end").Commands.Single();
        c.Redirections.Single().HeredocBody.Should().Be("no end\n");
    }

    [Fact]
    public void Assignments_prefix_the_command()
    {
        var script = ShellTokenizer.Parse("FOO=1 BAR='a b' cmd X=2; ONLY=3");
        Argv(script.Commands[0]).Should().Equal("cmd", "X=2");
        script.Commands[0].Assignments.Select(w => w.Text).Should().Equal("FOO=1", "BAR=a b");
        script.Commands[1].Words.Should().BeEmpty();
        script.Commands[1].Assignments.Single().Text.Should().Be("ONLY=3");
    }

    [Fact]
    public void Substitutions_are_parsed_recursively_as_commands()
    {
        var script = ShellTokenizer.Parse("echo \"$(cat $(ls /etc) `whoami`)\" <(curl x)");
        var names = script.Commands.Select(c => c.Words[0].Text).ToArray();
        names.Should().Equal("echo", "cat", "ls", "whoami", "curl");
        script.Commands[1].Parent.Should().Be(0);
        script.Commands[1].ParentWord.Should().Be(1);
        script.Commands[1].Nesting.Should().HaveFlag(ShellNesting.CommandSubstitution);
        script.Commands[2].Parent.Should().Be(1);
        script.Commands[4].Nesting.Should().HaveFlag(ShellNesting.ProcessSubstitution);
        script.Commands[0].Words[1].Flags.Should().HaveFlag(ShellWordFlags.Substitution);
    }

    [Fact]
    public void Subshells_groups_and_functions_are_entered()
    {
        var script = ShellTokenizer.Parse("(a; b) | { c; d; }; f() { g | f & }; f");
        script.Commands.Select(c => c.Words[0].Text).Should().Equal("a", "b", "c", "d", "g", "f", "f");
        script.Commands[0].Nesting.Should().HaveFlag(ShellNesting.Subshell);
        script.Commands[2].Nesting.Should().HaveFlag(ShellNesting.BraceGroup);
        script.Functions.Should().Contain("f");
        script.Commands[5].Function.Should().Be("f");
        script.Commands[5].Connector.Should().Be(ShellConnector.Background);
        script.Commands[2].Pipelines[0].Stage.Should().Be(1);
    }

    [Fact]
    public void Fork_bomb_parses_as_a_self_calling_function()
    {
        var script = ShellTokenizer.Parse(":(){ :|:& };:");
        script.Functions.Should().Contain(":");
        script.Commands.Where(c => c.Function == ":").Select(c => c.Connector).Should().Equal(ShellConnector.Pipe, ShellConnector.Background);
    }

    [Fact]
    public void Compound_reserved_words_do_not_hide_commands()
    {
        var script = ShellTokenizer.Parse("if true; then rm x; else echo y; fi; for f in a b; do rm $f; done; case $x in a) ls;; esac");
        script.Commands.Select(c => c.Words[0].Text).Should().Equal("true", "rm", "echo", "rm", "ls");
    }

    [Fact]
    public void Compound_redirections_apply_to_the_commands_inside()
    {
        var script = ShellTokenizer.Parse("{ echo a; echo b; } > /etc/passwd");
        script.Commands.Should().OnlyContain(c => c.Redirections.Any(r => r.Target.Text == "/etc/passwd"));
    }

    [Fact]
    public void Line_continuations_join_words()
    {
        ShellTokenizer.Parse("r\\\nm -rf /").Commands[0].Words[0].Text.Should().Be("rm");
    }

    [Fact]
    public void Command_source_text_is_kept()
    {
        var script = ShellTokenizer.Parse("ls -la;  rm -rf /tmp/x ");
        script.Commands[1].Text.Should().Be("rm -rf /tmp/x");
    }

    [Fact]
    public void Deep_nesting_is_cut_off_without_overflowing()
    {
        var deep = string.Concat(Enumerable.Repeat("$(", 5000)) + "rm -rf /" + new string(')', 5000);
        var script = ShellTokenizer.Parse("echo " + deep);
        script.DepthExceeded.Should().BeTrue();
        var parens = new string('(', 100_000) + "ls" + new string(')', 100_000);
        ShellTokenizer.Parse(parens).DepthExceeded.Should().BeTrue();
        var functions = string.Concat(Enumerable.Repeat("f() ", 50_000)) + "ls";
        ShellTokenizer.Parse(functions).Should().NotBeNull();
    }
}
