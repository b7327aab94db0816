using System.Buffers.Binary;

namespace Vigil.Postgres.Tests.Support;

/// <summary>Seeded byte-level mutations of valid wire messages for the fuzz test.</summary>
public sealed class Mutator(int seed)
{
    private static readonly int[] InterestingInts = [0, 1, 3, 4, 5, 7, 8, 9, 16, 255, 10000, 10001, -1, -2, int.MaxValue, int.MinValue, 0x7FFF, 0xFFFF, 0x10000];

    private readonly Random _random = new(seed);

    public byte[] Mutate(byte[] input)
    {
        var data = new List<byte>(input);
        var rounds = 1 + _random.Next(4);
        for (var i = 0; i < rounds; i++)
        {
            Apply(data);
        }

        return [.. data];
    }

    private void Apply(List<byte> data)
    {
        if (data.Count == 0)
        {
            data.Add((byte)_random.Next(256));
            return;
        }

        var at = _random.Next(data.Count);
        switch (_random.Next(9))
        {
            case 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1:
                data[at] = (byte)_random.Next(256);
                break;
            case 2:
                data[at] = (byte)(_random.Next(3) switch { 0 => 0, 1 => 0xFF, _ => 0x80 });
                break;
            case 3:
                data.InsertRange(at, Enumerable.Range(0, 1 + _random.Next(8)).Select(_ => (byte)_random.Next(256)));
                break;
            case 4:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(8)));
                break;
            case 5:
                data.RemoveRange(at, data.Count - at);
                break;
            case 6:
                WriteInt(data, at, InterestingInts[_random.Next(InterestingInts.Length)]);
                break;
            case 7:
                TweakLength(data, _random.Next(2) == 0 ? 0 : 1);
                break;
            default:
                WriteInt16(data, at, (short)InterestingInts[_random.Next(InterestingInts.Length)]);
                break;
        }
    }

    private void TweakLength(List<byte> data, int offset)
    {
        if (data.Count < offset + 4)
        {
            return;
        }

        Span<byte> buffer = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            buffer[i] = data[offset + i];
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(buffer) + _random.Next(-6, 7);
        WriteInt(data, offset, length);
    }

    private static void WriteInt(List<byte> data, int at, int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, value);
        for (var i = 0; i < 4 && at + i < data.Count; i++)
        {
            data[at + i] = buffer[i];
        }
    }

    private static void WriteInt16(List<byte> data, int at, short value)
    {
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(buffer, value);
        for (var i = 0; i < 2 && at + i < data.Count; i++)
        {
            data[at + i] = buffer[i];
        }
    }
}
