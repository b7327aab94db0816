using Microsoft.AspNetCore.Http.Features;
using Vigil.Pipeline;
using Vigil.Sessions.Terminal;

namespace Vigil.Adapters.Http;

/// <summary>
/// Records the terminal stream of an upgraded <c>kubectl exec</c> or <c>attach</c>: it stands in for the request's
/// <see cref="IHttpUpgradeFeature"/>, so when YARP upgrades the client's connection (after the upstream answered 101)
/// it gets the client's stream wrapped in a <see cref="TappedStream"/> that shows each direction to an
/// <see cref="IExecStreamObserver"/> as the bytes pass (nothing is held or delayed). The upstream's 101 says which:
/// the channel WebSocket protocols (<c>Sec-WebSocket-Protocol</c> <c>v5.channel.k8s.io</c> … <c>channel.k8s.io</c>) go
/// to a <see cref="ChannelFrameObserver"/> per direction, a SPDY/3.1 upgrade (<c>Upgrade: SPDY/3.1</c>,
/// <c>X-Stream-Protocol-Version</c> one of the same protocols) to the <see cref="SpdyFrameObserver"/> pair of its
/// connection. The recording starts at the upgrade; anything else (the <c>base64.channel.k8s.io</c> variants'
/// text frames, port-forward) is forwarded unrecorded. <see cref="CompleteAsync"/> ends the recording.
/// </summary>
internal sealed class ExecStreamTap(IHttpUpgradeFeature inner, HttpContext http, TerminalRecorder terminals, SessionContext session, KubernetesExec exec)
    : IHttpUpgradeFeature
{
    private TerminalRecording? _recording;

    /// <summary>Puts a tap in place of the request's upgrade feature; null when the request cannot upgrade.</summary>
    public static ExecStreamTap? Attach(HttpContext http, TerminalRecorder terminals, SessionContext session, KubernetesExec exec)
    {
        if (http.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true } upgrade)
        {
            return null;
        }
        var tap = new ExecStreamTap(upgrade, http, terminals, session, exec);
        http.Features.Set<IHttpUpgradeFeature>(tap);
        return tap;
    }

    /// <summary>The Kubernetes remote-command protocols, v5 down to v1 (<c>channel.k8s.io</c>).</summary>
    private static bool Channels(string protocol) =>
        protocol is "v5.channel.k8s.io" or "v4.channel.k8s.io" or "v3.channel.k8s.io" or "v2.channel.k8s.io" or "channel.k8s.io";

    /// <inheritdoc />
    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    /// <inheritdoc />
    public async Task<Stream> UpgradeAsync()
    {
        var stream = await inner.UpgradeAsync();
        // What the upstream accepted (its 101's headers, which YARP copied) says how the channels are framed.
        if (Channels(http.Response.Headers.SecWebSocketProtocol.ToString()))
        {
            var recording = Start();
            return new TappedStream(stream, new ChannelFrameObserver(recording), new ChannelFrameObserver(recording));
        }
        if (Spdy(http.Response.Headers))
        {
            var (fromClient, toClient) = SpdyFrameObserver.ForConnection(Start());
            return new TappedStream(stream, fromClient, toClient);
        }
        return stream;
    }

    /// <summary>
    /// A SPDY/3.1 upgrade to a remote-command protocol: <c>X-Stream-Protocol-Version</c> one of the channel protocols, or
    /// none (client-go then speaks v1, <c>channel.k8s.io</c>).
    /// </summary>
    private static bool Spdy(IHeaderDictionary response) =>
        response.Upgrade.ToString().Equals("SPDY/3.1", StringComparison.OrdinalIgnoreCase)
        && response["X-Stream-Protocol-Version"].ToString() is var protocol && (protocol.Length == 0 || Channels(protocol));

    /// <summary>Starts the exec's terminal recording (<c>attach NS/POD</c> when there is no command).</summary>
    private TerminalRecording Start() =>
        _recording = terminals.Start(session, 0, 0, term: null, exec.CommandLine ?? $"attach {exec.Namespace}/{exec.Pod}");

    /// <summary>Ends the recording (once the forwarder is done with the stream); nothing when there was none.</summary>
    public Task CompleteAsync() => _recording?.CompleteAsync(CancellationToken.None) ?? Task.CompletedTask;

    /// <summary>The client's upgraded stream, each direction shown to its observer as it passes.</summary>
    private sealed class TappedStream(Stream inner, IExecStreamObserver fromClient, IExecStreamObserver toClient) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanWrite => inner.CanWrite;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            fromClient.Observe(buffer[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            fromClient.Observe(buffer.Span[..read]);
            return read;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            toClient.Observe(buffer);
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            toClient.Observe(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
