namespace Vigil.Ssh.Transport;

/// <summary>
/// Buffered reads from the transport stream: the packet layer reads small headers (4 or 16 bytes) and would
/// otherwise make one socket call each. Not thread-safe: only the connection's read loop uses it.
/// </summary>
internal sealed class InputBuffer(Stream stream, int size = 16 * 1024)
{
    private readonly byte[] _buffer = new byte[size];
    private int _start;
    private int _end;

    /// <summary>Fills <paramref name="destination"/> completely.</summary>
    /// <exception cref="EndOfStreamException">The peer closed the stream first.</exception>
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (!destination.IsEmpty)
        {
            if (_start == _end)
            {
                if (destination.Length >= _buffer.Length)
                {
                    var direct = await stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
                    if (direct == 0)
                    {
                        throw new EndOfStreamException("the SSH peer closed the connection");
                    }

                    destination = destination[direct..];
                    continue;
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
            }

            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, count).CopyTo(destination);
            _start += count;
            destination = destination[count..];
        }
    }

    /// <summary>
    /// Reads one line ending in LF (RFC 4253 §4.2 identification string), returning it without CR LF.
    /// </summary>
    /// <param name="maxLength">Longest line accepted, CR LF included.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The line, or null when it is longer than <paramref name="maxLength"/>.</returns>
    public async ValueTask<byte[]?> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }

            var b = _buffer[_start++];
            if (b == '\n')
            {
                if (line.Count > 0 && line[^1] == '\r')
                {
                    line.RemoveAt(line.Count - 1);
                }

                return [.. line];
            }

            line.Add(b);
            if (line.Count >= maxLength)
            {
                return null;
            }
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        if (_end == 0)
        {
            throw new EndOfStreamException("the SSH peer closed the connection");
        }
    }
}
