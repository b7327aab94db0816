using System.Text;
using Vigil.Adapters.Terminal;

namespace Vigil.Tests.Adapters.Terminal;

/// <summary>
/// Line reconstruction from keystrokes and echo, with byte sequences as bash 5.2 / readline 8.2 really produce them
/// (captured from <c>bash --norc -i</c> on a pty with <c>PS1='$ '</c>, TERM=xterm-256color: each "o" below is what bash
/// wrote after the "i" before it).
/// </summary>
public sealed class LineReconstructorTests
{
    private readonly LineReconstructor _lines = new();
    private readonly List<byte> _forwarded = [];

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Feeds a captured exchange: input and output chunks in order; returns the submission, if any.</summary>
    private SubmittedLine? Replay(params (char Kind, string Data)[] exchange)
    {
        SubmittedLine? submitted = null;
        foreach (var (kind, data) in exchange)
        {
            if (kind == 'o')
            {
                _lines.Output(B(data));
                continue;
            }
            var result = _lines.Input(B(data));
            _forwarded.AddRange(result.Forward.ToArray());
            submitted ??= result.Submitted;
        }
        return submitted;
    }

    private string Forwarded => Encoding.UTF8.GetString([.. _forwarded]);

    private const string Prompt = "\x1b[?2004h$ ";

    [Fact]
    public void Printable_text_is_submitted_certain_and_the_enter_is_held_until_accepted()
    {
        var line = Replay(('o', Prompt), ('i', "echo abc"), ('o', "echo abc"), ('i', "\r"));

        line.Should().Be(new SubmittedLine("echo abc", true, "echo abc", null, true));
        Forwarded.Should().Be("echo abc", "the Enter waits for the decision");
        _lines.Waiting.Should().BeTrue();
        var accepted = _lines.Accept();
        Encoding.UTF8.GetString(accepted.Forward.Span).Should().Be("\r");
        accepted.Submitted.Should().BeNull();
        _lines.Waiting.Should().BeFalse();
    }

    [Fact]
    public void Editing_keys_are_applied_as_readline_applies_them()
    {
        // Backspace, two lefts, X inserted mid-word, Ctrl-A, '#' at the start, Ctrl-E, Ctrl-W, Home, Delete, End, Ctrl-K.
        var line = Replay(
            ('o', Prompt), ('i', "echo abcd"), ('o', "echo abcd"),
            ('i', "\x7f"), ('o', "\b\x1b[K"),
            ('i', "\x1b[D\x1b[D"), ('o', "\b\b"),
            ('i', "X"), ('o', "Xbc\b\b"),
            ('i', "\x01"), ('o', "\r\x1b[C\x1b[C"),
            ('i', "#"), ('o', "\x1b[1@#"),
            ('i', "\x05"), ('o', "\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C"),
            ('i', "\x17"), ('o', "\b\b\b\b\x1b[K"),
            ('i', "\x1b[H"), ('o', "\r\x1b[C\x1b[C"),
            ('i', "\x1b[3~"), ('o', "\x1b[1P"),
            ('i', "\x1b[F"), ('o', "\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C"),
            ('i', "\x0b"), ('o', ""),
            ('i', "\r"));

        line.Should().Be(new SubmittedLine("echo ", true, "echo", null, true));
    }

    [Fact]
    public void Ctrl_u_and_a_bracketed_paste_leave_exactly_the_pasted_command()
    {
        var line = Replay(
            ('o', Prompt), ('i', "echo abc"), ('o', "echo abc"),
            ('i', "\x15"), ('o', "\r\x1b[C\x1b[C\x1b[K"),
            ('i', "\x1b[200~rm -rf /tmp/x\x1b[201~"), ('o', "\x1b[7mrm -rf /tmp/x\x1b[27m"),
            ('i', "\r"));

        line.Should().Be(new SubmittedLine("rm -rf /tmp/x", true, "rm -rf /tmp/x", null, true));
    }

    [Fact]
    public void A_pasted_newline_is_part_of_the_line_not_an_enter()
    {
        var line = Replay(('o', Prompt), ('i', "\x1b[200~echo one\recho two\x1b[201~\r"));

        line!.Text.Should().Be("echo one\necho two");
        line.Certain.Should().BeTrue("the echo has not arrived yet: nothing contradicts the keystrokes");
        Forwarded.Should().Be("\x1b[200~echo one\recho two\x1b[201~");
    }

    [Fact]
    public void Utf8_text_and_backspace_over_a_multibyte_character()
    {
        var keys = B("echo h\u00e9llo \u20ac");
        _lines.Output(B(Prompt));
        foreach (var b in keys)
        {
            _lines.Input([b]).Submitted.Should().BeNull();
        }
        _lines.Output(keys);
        _lines.Input([0x7f]);
        _lines.Output(B("\b\x1b[K"));

        _lines.Input(B("\r")).Submitted.Should().Be(new SubmittedLine("echo h\u00e9llo ", true, "echo h\u00e9llo", null, true));
    }

    [Fact]
    public void Tab_completion_is_read_from_the_echo_and_flagged()
    {
        var line = Replay(('o', Prompt), ('i', "ls /us"), ('o', "ls /us"), ('i', "\t"), ('o', "r/"), ('i', "\r"));

        line.Should().Be(new SubmittedLine("ls /usr/", false, "ls /usr/", "tab completion", true));
    }

    [Fact]
    public void A_history_recall_is_read_from_the_echo()
    {
        var line = Replay(
            ('o', Prompt), ('i', "ls /us"), ('o', "ls /us"),
            ('i', "\x1b[A"), ('o', "\r\x1b[C\x1b[Cecho hello-history"),
            ('i', "\r"));

        line.Should().Be(new SubmittedLine("echo hello-history", false, "echo hello-history", "history", true));
    }

    [Fact]
    public void A_reverse_search_match_is_read_from_the_search_prompt()
    {
        var line = Replay(
            ('o', Prompt), ('i', "\x12"), ('o', "\r(reverse-i-search)`': "),
            ('i', "hist"),
            ('o', "\b\b\bh': echo hello-\x1b[7mh\x1b[27mistory\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\bi': echo hello-\x1b[7mhi\x1b[27mstory"
                + "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\bs': echo hello-\x1b[7mhis\x1b[27mtory\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b"
                + "t': echo hello-\x1b[7mhist\x1b[27mory\b\b\b\b\b\b\b"),
            ('i', "\r"));

        line!.Text.Should().Be("echo hello-history");
        line.Certain.Should().BeFalse();
        line.Reason.Should().Be("history search");
    }

    [Fact]
    public void An_agent_that_writes_a_line_and_its_enter_at_once_is_still_analyzed_from_its_keystrokes()
    {
        _lines.Output(B(Prompt));

        var result = _lines.Input(B("rm -rf /var/lib/postgresql\rls\r"));

        result.Submitted.Should().Be(new SubmittedLine("rm -rf /var/lib/postgresql", true, null, null, true));
        Encoding.UTF8.GetString(result.Forward.Span).Should().Be("rm -rf /var/lib/postgresql");
        _lines.Input(B("pwd\r")).Forward.IsEmpty.Should().BeTrue("input after a held Enter waits too");
        var refusal = _lines.Refuse("rm -rf of a data directory");
        Encoding.UTF8.GetString(refusal.ToTarget.Span).Should().Be("\x05\x15", "Ctrl-E then Ctrl-U, never an Enter");
        Encoding.UTF8.GetString(refusal.ToClient.Span).Should().Be("\r\nvigil: blocked: rm -rf of a data directory\r\n$ ");
        _lines.Waiting.Should().BeFalse();
        _lines.Input(B("\r")).Submitted.Should().BeNull("what was typed after a refused Enter is dropped; an empty line goes on");
    }

    [Fact]
    public void Accepting_a_line_scans_the_input_typed_meanwhile_for_the_next_one()
    {
        _lines.Output(B(Prompt));
        _lines.Input(B("echo one\recho two\rx")).Submitted!.Text.Should().Be("echo one");

        var next = _lines.Accept();

        Encoding.UTF8.GetString(next.Forward.Span).Should().Be("\recho two");
        next.Submitted!.Text.Should().Be("echo two");
        var last = _lines.Accept();
        Encoding.UTF8.GetString(last.Forward.Span).Should().Be("\rx");
        last.Submitted.Should().BeNull();
        _lines.Current.Should().Be("x");
    }

    [Fact]
    public void The_refusal_message_cannot_carry_terminal_controls()
    {
        _lines.Output(B(Prompt));
        _lines.Input(B("x\r"));

        var refusal = _lines.Refuse("bad\x1b]0;owned\a\r\nreason");

        Encoding.UTF8.GetString(refusal.ToClient.Span).Should().Be("\r\nvigil: blocked: bad ]0;owned   reason\r\n$ ");
    }

    [Fact]
    public void An_echo_that_contradicts_the_keystrokes_makes_the_line_uncertain_but_keeps_the_keystrokes()
    {
        var line = Replay(('o', Prompt), ('i', "ls"), ('o', "rm -rf /"), ('i', "\r"));

        line.Should().Be(new SubmittedLine("ls", false, "rm -rf /", "the echo differs from the keystrokes", true));
    }

    [Fact]
    public void Enter_on_an_empty_line_or_in_a_full_screen_program_goes_on_at_once()
    {
        _lines.Output(B(Prompt));
        var empty = _lines.Input(B("\r"));
        empty.Submitted.Should().BeNull();
        Encoding.UTF8.GetString(empty.Forward.Span).Should().Be("\r");

        _lines.Output(B("\x1b[?2004l\r\x1b[?1049h\x1b[22;0;0t\x1b[?1h\x1b="));
        var inVim = _lines.Input(B(":wq\r"));
        inVim.Submitted.Should().BeNull();
        Encoding.UTF8.GetString(inVim.Forward.Span).Should().Be(":wq\r");
        _lines.Output(B("\x1b[?1049l\x1b[23;0;0t\x1b[?2004h$ "));
        _lines.Input(B("ls\r")).Submitted!.Text.Should().Be("ls");
    }

    [Fact]
    public void A_line_typed_to_a_program_says_the_shell_was_not_at_its_prompt()
    {
        // sudo's password prompt: bash turned bracketed paste off before running it, and the terminal echo is off.
        var line = Replay(('o', "\x1b[?2004l\r[sudo] password for dev: "), ('i', "hunter2\r"));

        line.Should().Be(new SubmittedLine("hunter2", true, null, null, false));
    }

    [Fact]
    public void Escape_sequences_split_across_writes_are_recognised()
    {
        var line = Replay(('o', Prompt), ('i', "ab"), ('i', "\x1b"), ('i', "["), ('i', "D"), ('o', "ab\b"), ('i', "X"), ('o', "Xb\b"), ('i', "\r"));

        line!.Text.Should().Be("aXb");
        line.Certain.Should().BeTrue();
    }

    [Fact]
    public void Every_split_of_a_captured_session_gives_the_same_line()
    {
        var keys = B("echo abcd\x7f\x1b[D\x1b[DX\x01#\x05\x17\x1b[H\x1b[3~\x1b[F\x1b[200~ \u00e9t\u00e9\x1b[201~\r");
        for (var split = 0; split <= keys.Length; split++)
        {
            var lines = new LineReconstructor();
            lines.Output(B(Prompt));
            var first = lines.Input(keys.AsSpan(0, split));
            var second = first.Submitted is null ? lines.Input(keys.AsSpan(split)) : default;
            (first.Submitted ?? second.Submitted)!.Text.Should().Be("echo  \u00e9t\u00e9", $"split at {split}");
        }
    }
}
