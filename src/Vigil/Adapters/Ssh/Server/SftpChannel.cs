using Vigil.Adapters.Ssh.Upstream;
using Vigil.Pipeline;
using Vigil.Sessions;
using Vigil.Ssh;

namespace Vigil.Adapters.Ssh.Server;

/// <summary>
/// The <c>sftp</c> subsystem (RFC 4254 §6.5; <c>sftp</c>, and <c>scp</c>, which speaks SFTP since OpenSSH 9.0): the
/// target serves it through its own <c>sftp</c> subsystem (so <c>internal-sftp</c>, chroots and sftp-only accounts work
/// as configured there) or, where its sshd names none, through its <c>sftp-server</c> started over an exec channel; the gateway reads the SFTP packets in between (<see cref="SftpPacket"/>). Each file operation (open for read or
/// write, remove, rename, mkdir, rmdir, setstat, symlink) goes through the pipeline as <c>sftp OP PATH</c> before it is
/// forwarded: allowed, it is recorded as a statement; refused (a guardrail or rule can block writes), the client gets
/// SSH_FX_PERMISSION_DENIED with the reason and the target never sees the request. File contents are not analyzed or
/// recorded.
/// </summary>
public sealed class SftpChannel(CommandPipeline pipeline)
{
    /// <summary>The subsystem name (RFC 4254 §6.5).</summary>
    public const string Subsystem = "sftp";

    /// <summary>
    /// Where the target's sshd names no sftp subsystem: starts its sftp-server from the usual places (Debian, RHEL, Arch,
    /// BSD), or says it has none (exit 127).
    /// </summary>
    private const string ServerCommand =
        "for p in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/lib/ssh/sftp-server /usr/libexec/sftp-server; do [ -x \"$p\" ] && exec \"$p\"; done; " +
        "echo 'vigil: the target has no sftp-server' >&2; exit 127";

    /// <summary>Serves the subsystem of <paramref name="channel"/> until either side ends it.</summary>
    public async Task<SshChannelOutcome> RunAsync(SessionContext session, SshUpstreamSession upstream, SshSessionChannel channel, CancellationToken cancellationToken)
    {
        await using var server = await upstream.SubsystemAsync(Subsystem, cancellationToken)
            ?? await upstream.ExecAsync(ServerCommand, cancellationToken, withStdin: true);
        using var toClient = new SemaphoreSlim(1, 1);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var requests = RelayRequestsAsync(server.Stdin!, ended.Token);
        string? violation = null;
        try
        {
            await Task.WhenAll(RelayRepliesAsync(), RelayErrorsAsync());
        }
        finally
        {
            await ended.CancelAsync();
            await requests.ContinueWith(_ => { }, CancellationToken.None);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (violation is not null)
        {
            await SshClientText.FailAsync(channel, violation, SshClientText.Failed, cancellationToken);
            return new(SessionStatus.Failed, violation, SshClientText.Failed);
        }
        var exit = await server.WaitAsync();
        var status = exit.ExitStatus ?? SshClientText.Failed;
        await channel.SendExitStatusAsync((uint)status, cancellationToken);
        return new(SessionStatus.Done, null, status);

        async Task RelayRequestsAsync(Stream stdin, CancellationToken token)
        {
            await using (stdin)
            {
                try
                {
                    while (await SftpPacket.ReadAsync(channel.Input, token) is { } packet)
                    {
                        if (await RefusalAsync(packet, token) is { } refusal)
                        {
                            await SendAsync(refusal, token);
                            continue;
                        }
                        await stdin.WriteAsync(packet, token);
                        await stdin.FlushAsync(token);
                    }
                }
                catch (InvalidDataException e)
                {
                    violation = "sftp protocol error from the client: " + e.Message;
                    server.Signal(kill: true);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or EndOfStreamException)
                {
                }
            }
        }

        async Task RelayRepliesAsync()
        {
            try
            {
                while (await SftpPacket.ReadAsync(server.Stdout, ended.Token) is { } packet)
                {
                    await SendAsync(packet, ended.Token);
                }
            }
            catch (InvalidDataException e)
            {
                violation = "sftp protocol error from the target: " + e.Message;
                server.Signal(kill: true);
            }
        }

        async Task RelayErrorsAsync()
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await server.Stderr.ReadAsync(buffer, ended.Token)) > 0)
            {
                await channel.WriteErrorAsync(buffer.AsMemory(0, read), ended.Token);
            }
        }

        async Task SendAsync(byte[] packet, CancellationToken token)
        {
            await toClient.WaitAsync(token);
            try
            {
                await channel.WriteAsync(packet, token);
            }
            finally
            {
                toClient.Release();
            }
        }

        // The reply for a refused file operation, or null when the request may go to the target (recorded if it is one).
        async Task<byte[]?> RefusalAsync(byte[] packet, CancellationToken token)
        {
            if (SftpPacket.Operation(packet) is not { } operation)
            {
                return null;
            }
            var command = new Command(session, operation);
            var started = pipeline.Time.GetTimestamp();
            var decision = await pipeline.DecideAsync(command, token);
            if (!decision.Allowed)
            {
                return SftpPacket.StatusReply(SftpPacket.RequestId(packet), SftpPacket.PermissionDenied, "vigil: " + SshPipeline.Refusal(decision));
            }
            SshPipeline.Record(pipeline, command, decision, started);
            return null;
        }
    }
}
