namespace Vigil.Adapters.Ssh.Upstream;

/// <summary>
/// The reading side of one output stream of an SSH.NET channel: flow control, and reads that never block a thread.
/// SSH.NET's streams have only synchronous reads (<c>Stream.ReadAsync</c> falls back to a blocked thread-pool thread per
/// pending read, two per exec for as long as it runs, which starves the pool as sessions add up); <see cref="Wrap"/>'s
/// reads wait asynchronously until <see cref="Arrived"/> or <see cref="End"/> says a synchronous read returns at once.
/// Flow control: SSH.NET opens every channel with a window of 2 GiB
/// (RFC 4254 §5.2) and grows it again as data arrives, whether or not anyone reads: a target that writes faster than
/// the gateway's client reads (a slow link, a client whose own window is zero) would fill the gateway's memory.
/// SSH.NET delivers channel data on its session's own message-listener thread; <see cref="Arrived"/> runs there after
/// the data was buffered and holds the thread while more than <see cref="Limit"/> bytes wait unread. Holding it stops
/// SSH.NET reading the socket, so TCP's window stops the target: the gateway keeps at most the limit, one packet and
/// the socket buffers per stream. <see cref="Wrap"/> gives the reader's side, which frees the thread as it consumes.
/// </summary>
/// <remarks>
/// The listener thread serves the whole SSH.NET session, and the gateway opens one per client channel, so holding it
/// holds nothing of anyone else's. SSH.NET's disconnect waits for that thread: <see cref="Release"/> must run before the
/// client is disposed (<see cref="SshUpstreamSession.Dispose"/> does it for every gate it made).
/// </remarks>
internal sealed class UpstreamBackpressure(long limit)
{
    /// <summary>Default bound on unread bytes per stream: 1 MiB, a few round trips of a fast link.</summary>
    public const long DefaultLimit = 1024 * 1024;

    private readonly ManualResetEventSlim _drained = new(false);
    private TaskCompletionSource _readable = NewSignal();
    private long _pending;
    private volatile bool _released;
    private volatile bool _ended;

    /// <summary>Bytes buffered and not yet read beyond which the listener thread is held.</summary>
    public long Limit => limit;

    /// <summary>Bytes buffered and not yet read.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Counts <paramref name="bytes"/> SSH.NET has just buffered and waits while too much is unread (or until <see cref="Release"/>).</summary>
    public void Arrived(int bytes)
    {
        var pending = Interlocked.Add(ref _pending, bytes);
        Volatile.Read(ref _readable).TrySetResult();
        if (pending < limit)
        {
            return;
        }
        while (!_released)
        {
            _drained.Reset();
            // Resume at half the limit, not just under it: waking per packet would cost a thread switch per 32 KiB.
            if (Pending <= limit / 2 || _released)
            {
                return;
            }
            _drained.Wait();
        }
    }

    /// <summary>Counts bytes the reader took.</summary>
    public void Consumed(int bytes)
    {
        if (bytes > 0 && Interlocked.Add(ref _pending, -bytes) <= limit / 2)
        {
            _drained.Set();
        }
    }

    /// <summary>Says the stream is complete (its channel closed): a read returns what is left, then 0, without waiting.</summary>
    public void End()
    {
        _ended = true;
        Volatile.Read(ref _readable).TrySetResult();
    }

    /// <summary>Stops holding the listener thread, now and from now on (the stream's reader is gone).</summary>
    public void Release()
    {
        _released = true;
        _drained.Set();
        End();
    }

    /// <summary>Completes when a synchronous read of the stream will not block: bytes are buffered, or it has ended.</summary>
    private async ValueTask WaitReadableAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _readable);
            if (Pending > 0 || _ended)
            {
                return;
            }
            await signal.Task.WaitAsync(cancellationToken);
            // Arrived counts before it signals: the check above, after taking the new signal, sees what this one was for.
            Interlocked.CompareExchange(ref _readable, NewSignal(), signal);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary><paramref name="inner"/> with asynchronous reads that wait for data without a thread, counted as consumed (writes pass through).</summary>
    public Stream Wrap(Stream inner) => new ConsumingStream(inner, this);

    private sealed class ConsumingStream(Stream inner, UpstreamBackpressure gate) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await gate.WaitReadableAsync(cancellationToken);
            var read = inner.Read(buffer.Span);
            gate.Consumed(read);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            gate.Consumed(read);
            return read;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override void Flush() => inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
