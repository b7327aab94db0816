namespace Vigil.Ssh.Tests.Support;

/// <summary>Random mutations of valid inputs: byte flips, truncation, insertion, deletion, length-field damage.</summary>
public sealed class Mutator(int seed)
{
    private readonly Random _random = new(seed);

    public byte[] Mutate(byte[] input)
    {
        var bytes = new List<byte>(input);
        var count = _random.Next(1, 4);
        for (var i = 0; i < count && bytes.Count > 0; i++)
        {
            var at = _random.Next(bytes.Count);
            switch (_random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)_random.Next(256);
                    break;
                case 2:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3:
                    bytes.Insert(at, (byte)_random.Next(256));
                    break;
                case 4:
                    bytes.RemoveAt(at);
                    break;
                default:
                    bytes[at] = _random.Next(2) == 0 ? (byte)0xFF : (byte)0;
                    break;
            }
        }

        return [.. bytes];
    }
}
