namespace Vigil.Postgres.Tests.Support;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s to exercise segment-boundary handling.</summary>
public static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] splitPoints)
    {
        var chunks = new List<byte[]>();
        var start = 0;
        foreach (var point in splitPoints.Order())
        {
            chunks.Add(data[start..point]);
            start = point;
        }

        chunks.Add(data[start..]);
        return Build(chunks);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) =>
        data.Length == 0 ? ReadOnlySequence<byte>.Empty : Build(data.Select(b => new[] { b }).ToList());

    private static ReadOnlySequence<byte> Build(IReadOnlyList<byte[]> chunks)
    {
        var first = new Segment(chunks[0], 0);
        var last = first;
        for (var i = 1; i < chunks.Count; i++)
        {
            last = last.Append(chunks[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
