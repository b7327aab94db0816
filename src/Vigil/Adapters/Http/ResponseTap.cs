namespace Vigil.Adapters.Http;

/// <summary>
/// Wraps the client's response body: every write passes straight through (and every flush, so a watch or a followed
/// log reaches the client as the upstream sends it), counting bytes and keeping a copy of only the first
/// <c>keep</c> bytes for the recording. Memory does not grow with the response. A writer that sends the client
/// something the recording must not keep (Kubernetes Secret values a rule reveals) sends it with
/// <see cref="WriteAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, int, CancellationToken)"/>, giving the text to keep instead.
/// </summary>
public sealed class ResponseTap(Stream inner, int keep) : Stream
{
    private readonly byte[] _kept = new byte[keep];
    private int _keptLength;
    private long _offered;

    /// <summary>Bytes written to the client.</summary>
    public long Bytes { get; private set; }

    /// <summary>The kept prefix.</summary>
    public ReadOnlySpan<byte> Kept => _kept.AsSpan(0, _keptLength);

    /// <summary>True when the response went on past the kept prefix.</summary>
    public bool Truncated => _offered > _keptLength;

    /// <summary>True while the recording keeps more: a writer may skip preparing what only the recording would see.</summary>
    public bool Recording => _keptLength < _kept.Length;

    /// <summary>Kubernetes Secret values the client was sent that the recording has redacted (counted before each write, so a write that fails still counts).</summary>
    public int Revealed { get; private set; }

    /// <summary>
    /// Sends <paramref name="sent"/> to the client (counted in <see cref="Bytes"/>) and keeps <paramref name="recorded"/>
    /// in its place; <paramref name="revealed"/> is how many Secret values the one has and the other not.
    /// </summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> sent, ReadOnlyMemory<byte> recorded, int revealed, CancellationToken cancellationToken)
    {
        Keep(recorded.Span);
        Bytes += sent.Length;
        Revealed += revealed;
        await inner.WriteAsync(sent, cancellationToken);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        WriteAsync(buffer, buffer, 0, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Keep(buffer.AsSpan(offset, count));
        Bytes += count;
        inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void Keep(ReadOnlySpan<byte> data)
    {
        var room = _kept.Length - _keptLength;
        if (room > 0)
        {
            var count = Math.Min(room, data.Length);
            data[..count].CopyTo(_kept.AsSpan(_keptLength));
            _keptLength += count;
        }
        _offered += data.Length;
    }
}
