using Vigil.Adapters.Ssh.Upstream;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Ssh;

/// <summary>
/// The upstream side holds a target back while its output waits unread (the channel's 2 MiB window, returned only as it
/// is read): a command or shell that writes 50 MB (25 MB) to a reader that takes nothing for 3 s has at most the window
/// held in the gateway, and once read, every byte arrives. The target writes 256 KiB at a time and counts each
/// chunk into a file, so the test sees how far it got: a little further than the window, since the pipe to sshd and
/// sshd's own buffers hold some, but not to the end.
/// </summary>
public sealed class SshUpstreamFlowControlTests : IAsyncLifetime
{
    private const int Chunks = 200;
    private const int ChunkBytes = 256 * 1024;
    private const int WindowSize = 2 * 1024 * 1024;
    private SshdTarget _sshd = null!;
    private string _progress = "";

    public async Task InitializeAsync()
    {
        _sshd = await SshdTarget.StartAsync();
        var folder = Directory.CreateTempSubdirectory("vigil-flow-");
        // The target may run as an unprivileged user.
        File.SetUnixFileMode(folder.FullName, (UnixFileMode)0x1FF);
        _progress = Path.Combine(folder.FullName, "chunks");
    }

    public async Task DisposeAsync()
    {
        await _sshd.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_progress)!, true);
    }

    private string Writer(string chunk, int chunks) => $"i=0; while [ $i -lt {chunks} ]; do {chunk}; i=$((i+1)); echo $i > {_progress}; done";

    [Fact]
    public async Task A_command_whose_output_is_not_read_is_held_back_and_loses_nothing_once_read()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var session = await SshUpstream.ConnectAsync(_sshd.Connection("flow"), timeout.Token);
        await using var execution = await session.ExecAsync(Writer($"head -c {ChunkBytes} /dev/zero", Chunks), timeout.Token);

        await Task.Delay(TimeSpan.FromSeconds(3), timeout.Token);

        execution.BufferedBytes.Should().BeLessThanOrEqualTo(WindowSize);
        ChunksWritten().Should().BeLessThan(Chunks / 8, "the target must be held back after about two windows, not run to its 50 MB");
        (await CountAsync(execution.Stdout, timeout.Token)).Should().Be((long)Chunks * ChunkBytes);
        (await execution.WaitAsync().WaitAsync(timeout.Token)).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task A_shell_whose_output_is_not_read_is_held_back_too()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var session = await SshUpstream.ConnectAsync(_sshd.Connection("flow"), timeout.Token);
        await using var shell = await session.OpenShellAsync(new SshTerminal("dumb", 80, 24), timeout.Token);
        await shell.Stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(Writer($"head -c {ChunkBytes} /dev/zero | tr '\\0' x", Chunks / 2) + "; exit\n"), timeout.Token);
        await shell.Stream.FlushAsync(timeout.Token);

        await Task.Delay(TimeSpan.FromSeconds(3), timeout.Token);

        shell.BufferedBytes.Should().BeLessThanOrEqualTo(WindowSize);
        ChunksWritten().Should().BeLessThan(Chunks / 8);
        (await CountAsync(shell.Stream, timeout.Token)).Should().BeGreaterThan((long)Chunks / 2 * ChunkBytes);
    }

    private int ChunksWritten() => File.Exists(_progress) && int.TryParse(File.ReadAllText(_progress).Trim(), out var n) ? n : 0;

    private static async Task<long> CountAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
        }
        return total;
    }
}
