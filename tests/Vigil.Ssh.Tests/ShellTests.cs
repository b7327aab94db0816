using Vigil.Ssh.Tests.Support;

namespace Vigil.Ssh.Tests;

public class ShellTests
{
    [Fact]
    public async Task PtyShell_EchoesAndExitEndsWithStatus()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "-tt", "u@127.0.0.1"], "hello\nexit 7\n"u8.ToArray());

        result.ExitCode.Should().Be(7, result.Stderr);
        result.Text.Should().Contain("you said: hello");
        server.Handler.Events.Should().ContainInOrder(server.Handler.Events.First(e => e.StartsWith("pty:", StringComparison.Ordinal)), "shell");
    }

    [Fact]
    public async Task WindowChange_ReachesTheHandlerWithTheNewSize()
    {
        using var temp = new TempDirectory();
        var identity = await OpenSsh.KeygenAsync(temp.Path, "ed25519");
        await using var server = new TestServer();
        server.Handler.AuthorizedKeys.Add(SshPublicKey.ParseOpenSshLine(await File.ReadAllTextAsync(identity + ".pub")).OpenSshLine);
        var ssh = string.Join(' ', OpenSsh.KeySsh(server.Port, identity).Select(a => $"'{a}'"));

        // script(1) gives ssh a real terminal; resizing it with stty makes the kernel send SIGWINCH to ssh. Only the
        // width changes: stty sets cols and rows one at a time, and ssh could report the size in between. The resize
        // waits for a marker file the test creates once the server has the exec request, so a slow start cannot race it.
        var marker = Path.Combine(temp.Path, "resize-now");
        var inner = $"stty cols 80 rows 43; {ssh} -tt u@127.0.0.1 winch </dev/tty & pid=$!; while [ ! -f {marker} ]; do sleep 0.1; done; stty cols 132 </dev/tty; kill -WINCH $pid; wait $pid";
        var run = OpenSsh.RunAsync(["script", "-q", "-e", "-c", $"sh -c \"{inner.Replace("\"", "\\\"", StringComparison.Ordinal).Replace("$", "\\$", StringComparison.Ordinal)}\"", "/dev/null"]);
        for (var i = 0; i < 300 && !server.Handler.Events.Contains("exec:winch"); i++)
        {
            await Task.Delay(100);
        }

        await File.WriteAllTextAsync(marker, "");
        var result = await run;

        result.ExitCode.Should().Be(0, result.Text + result.Stderr);
        result.Text.Should().Contain("resized 132x43 pty 132x43");
        server.Handler.Events.Should().ContainInOrder(server.Handler.Events.First(e => e.EndsWith(":80x43", StringComparison.Ordinal)), "exec:winch", "window-change:132x43");
    }
}
