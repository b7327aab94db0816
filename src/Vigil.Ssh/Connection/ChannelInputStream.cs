using System.Threading.Channels;

namespace Vigil.Ssh.Connection;

/// <summary>
/// Data a channel received (RFC 4254 §5.2): a server session's stdin, a client session's stdout or stderr. Reading
/// drives flow control through the channel's <see cref="ReceiveWindow"/>, so the peer can never have more than the
/// window buffered here. Reads return 0 after SSH_MSG_CHANNEL_EOF or CLOSE.
/// </summary>
internal sealed class ChannelInputStream : Stream
{
    private readonly Channel<ReadOnlyMemory<byte>> _chunks = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new() { SingleReader = true, SingleWriter = true });
    private readonly ReceiveWindow _window;
    private ReadOnlyMemory<byte> _current;

    /// <summary>Creates the stream.</summary>
    /// <param name="window">The channel's receive window.</param>
    public ChannelInputStream(ReceiveWindow window)
    {
        _window = window;
    }

    /// <summary>Queues data received from the peer; false when it exceeds the window the peer was given (protocol error).</summary>
    public bool TryPush(ReadOnlySpan<byte> data)
    {
        if (!_window.TryTake(data.Length))
        {
            return false;
        }

        if (data.Length > 0)
        {
            _chunks.Writer.TryWrite(data.ToArray());
        }

        return true;
    }

    /// <summary>End of input (SSH_MSG_CHANNEL_EOF, CLOSE, or the connection ended).</summary>
    public void Complete() => _chunks.Writer.TryComplete();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_current.IsEmpty)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !_chunks.Reader.TryRead(out _current))
            {
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _current.Length);
        _current[..count].CopyTo(buffer);
        _current = _current[count..];
        await _window.ConsumedAsync(count, cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
