using System.Diagnostics;
using System.Text;
using Vigil.Adapters.Terminal;

namespace Vigil.Tests.Adapters.Terminal;

/// <summary>
/// The line reconstructor between a client and a real interactive bash on a pty (util-linux <c>script</c> allocates it):
/// keystrokes go through <see cref="LineReconstructor.Input"/> and only what it forwards reaches bash; bash's output
/// feeds the echo model. An accepted line runs; a refused one is killed with Ctrl-E Ctrl-U and never runs.
/// </summary>
public sealed class LiveBashTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("vigil-bash-").FullName;
    private readonly Process _bash;
    private readonly LineReconstructor _lines = new();
    private readonly StringBuilder _screen = new();

    public LiveBashTests()
    {
        File.WriteAllText(Path.Combine(_home, ".bash_history"), "echo from-history\n");
        File.WriteAllText(Path.Combine(_home, "inputrc"), "");
        var start = new ProcessStartInfo("script", ["-qfc", "bash --norc --noprofile -i", "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["TERM"] = "xterm-256color", ["PS1"] = "$ ", ["HOME"] = _home, ["PATH"] = "/usr/bin:/bin", ["LANG"] = "C.UTF-8",
            ["HISTFILE"] = Path.Combine(_home, ".bash_history"), ["INPUTRC"] = Path.Combine(_home, "inputrc"),
        })
        {
            start.Environment[key] = value;
        }
        _bash = Process.Start(start)!;
        _ = Task.Run(ReadAsync);
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[4096];
        var stdout = _bash.StandardOutput.BaseStream;
        int read;
        while ((read = await stdout.ReadAsync(buffer)) > 0)
        {
            lock (_lines)
            {
                _lines.Output(buffer.AsSpan(0, read));
                _screen.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
    }

    private string Screen
    {
        get
        {
            lock (_lines)
            {
                return _screen.ToString();
            }
        }
    }

    private async Task WaitForAsync(Func<string, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!done(Screen))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"bash never showed {what}; screen: {Screen}");
            }
            await Task.Delay(20);
        }
    }

    private void Send(ReadOnlyMemory<byte> bytes)
    {
        _bash.StandardInput.BaseStream.Write(bytes.Span);
        _bash.StandardInput.BaseStream.Flush();
    }

    /// <summary>Types <paramref name="keys"/> through the reconstructor and waits for bash to settle.</summary>
    private async Task<SubmittedLine?> TypeAsync(string keys)
    {
        LineInput result;
        lock (_lines)
        {
            result = _lines.Input(Encoding.UTF8.GetBytes(keys));
        }
        Send(result.Forward);
        await Task.Delay(300);
        return result.Submitted;
    }

    [Fact]
    public async Task Accepted_lines_run_and_a_refused_line_never_does()
    {
        await WaitForAsync(s => s.EndsWith("$ ", StringComparison.Ordinal), "its prompt");

        await TypeAsync("echo hi there");
        await TypeAsync("\x17");
        await TypeAsync("you");
        var first = await TypeAsync("\r");
        first.Should().Be(new SubmittedLine("echo hi you", true, "echo hi you", null, true));
        Screen.Should().NotContain("hi you\r\n", "the Enter is held");
        Send(_lines.Accept().Forward);
        await WaitForAsync(s => s.Contains("\rhi you\r\n", StringComparison.Ordinal), "the accepted command's output");

        await WaitForAsync(s => s.EndsWith("$ ", StringComparison.Ordinal), "the next prompt");
        await TypeAsync("ls /us");
        await TypeAsync("\t");
        var completed = await TypeAsync("\r");
        completed.Should().Be(new SubmittedLine("ls /usr/", false, "ls /usr/", "tab completion", true));
        var refusal = _lines.Refuse("listing /usr is not allowed");
        Send(refusal.ToTarget);
        await Task.Delay(300);

        await TypeAsync("\x1b[A");
        var recalled = await TypeAsync("\r");
        recalled!.Text.Should().Be("echo hi you", "the refused line never reached bash's history; the accepted one did");
        recalled.Certain.Should().BeFalse();
        Send(_lines.Accept().Forward);
        await WaitForAsync(s => s.Split("\rhi you\r\n").Length == 3, "the recalled command's output");
        Screen.Should().NotContain("share", "ls /usr/ never ran");
    }

    public void Dispose()
    {
        if (!_bash.HasExited)
        {
            _bash.Kill(entireProcessTree: true);
        }
        _bash.WaitForExit(5000);
        _bash.Dispose();
        Directory.Delete(_home, recursive: true);
    }
}
