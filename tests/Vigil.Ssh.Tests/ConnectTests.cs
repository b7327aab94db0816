using Vigil.Ssh.Tests.Support;

namespace Vigil.Ssh.Tests;

public class ConnectTests
{
    [Fact]
    public async Task Password_ExecRunsAndReturnsOutput()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "alice@127.0.0.1", "whoami"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Text.Should().Be("user:alice:password\n");
    }
}
