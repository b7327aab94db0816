using System.Threading.Channels;

namespace Vigil.Ssh.Connection;

/// <summary>
/// A session channel's stdin (SSH_MSG_CHANNEL_DATA from the client, RFC 4254 §5.2). Reading drives flow control:
/// once half the receive window has been consumed, SSH_MSG_CHANNEL_WINDOW_ADJUST returns it to the client, so the
/// client can never have more than the window buffered here. Reads return 0 after SSH_MSG_CHANNEL_EOF or CLOSE.
/// </summary>
internal sealed class ChannelInputStream : Stream
{
    private readonly Channel<ReadOnlyMemory<byte>> _chunks = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new() { SingleReader = true, SingleWriter = true });
    private readonly Func<uint, CancellationToken, ValueTask> _adjustWindow;
    private readonly uint _windowSize;
    private ReadOnlyMemory<byte> _current;
    private uint _consumed;
    private long _window;

    /// <summary>Creates the stream.</summary>
    /// <param name="windowSize">The window granted to the client.</param>
    /// <param name="adjustWindow">Sends SSH_MSG_CHANNEL_WINDOW_ADJUST for n bytes.</param>
    public ChannelInputStream(uint windowSize, Func<uint, CancellationToken, ValueTask> adjustWindow)
    {
        _windowSize = windowSize;
        _window = windowSize;
        _adjustWindow = adjustWindow;
    }

    /// <summary>Queues data received from the client; false when it exceeds the window the client was given (protocol error).</summary>
    public bool TryPush(ReadOnlySpan<byte> data)
    {
        if (Interlocked.Add(ref _window, -data.Length) < 0)
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
        _consumed += (uint)count;
        if (_consumed >= _windowSize / 2)
        {
            var grant = _consumed;
            _consumed = 0;
            Interlocked.Add(ref _window, grant);
            await _adjustWindow(grant, cancellationToken).ConfigureAwait(false);
        }

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
