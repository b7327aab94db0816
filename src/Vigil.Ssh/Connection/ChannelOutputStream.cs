namespace Vigil.Ssh.Connection;

/// <summary>
/// A write-only stream over a channel's write method (<see cref="SshSessionChannel.WriteAsync"/>,
/// <see cref="SshSessionChannel.WriteErrorAsync"/>, a client session's stdin), for CopyToAsync-style piping.
/// </summary>
/// <param name="write">Writes data on the channel.</param>
/// <param name="end">Runs once when the stream is disposed (a client session's stdin sends EOF, RFC 4254 §5.3); null for nothing.</param>
internal sealed class ChannelOutputStream(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, Func<ValueTask>? end = null) : Stream
{
    private int _ended;

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        write(buffer, cancellationToken);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (end is not null && Interlocked.Exchange(ref _ended, 1) == 0)
        {
            await end().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
