using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>CRYPTO</c> (Bitcoin addresses), as Presidio's <c>CryptoRecognizer</c>: "Crypto (Medium)" (0.5) for a legacy
/// address starting 1 or 3, validated by its Base58Check checksum (the first four bytes of SHA-256(SHA-256(payload))),
/// or a SegWit address starting bc1, validated by its BIP-173 bech32 or BIP-350 bech32m checksum; valid scores 1,
/// invalid is no match.
/// </summary>
public sealed partial class CryptoRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.Crypto, ["wallet", "btc", "bitcoin", "crypto"],
    new RecognizerPattern(Pattern(), 0.5))
{
    [GeneratedRegex("(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,59}", Linear)]
    private static partial Regex Pattern();

    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const uint Bech32mConstant = 0x2BC830A3;
    private static readonly uint[] Generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3];

    /// <inheritdoc />
    protected override bool MayContain(string text) => text.Length >= 26 && text.AsSpan().ContainsAny('1', '3');

    /// <inheritdoc />
    protected override bool? Validate(ReadOnlySpan<char> value) =>
        value.StartsWith("bc1", StringComparison.Ordinal) ? IsValidBech32(value) : IsValidBase58Check(value);

    /// <summary>True when <paramref name="value"/> decodes from Base58 and its last four bytes are the double-SHA-256 checksum.</summary>
    public static bool IsValidBase58Check(ReadOnlySpan<char> value)
    {
        // Each Base58 digit carries log2(58) < 6 bits, so the decoded bytes fit in value.Length bytes.
        Span<byte> bytes = stackalloc byte[value.Length];
        var length = 0;
        foreach (var c in value)
        {
            var carry = Base58Alphabet.IndexOf(c);
            if (carry < 0)
            {
                return false;
            }
            for (var i = 0; i < length; i++)
            {
                carry += bytes[i] * 58;
                bytes[i] = (byte)carry;
                carry >>= 8;
            }
            while (carry > 0)
            {
                bytes[length++] = (byte)carry;
                carry >>= 8;
            }
        }
        // Leading '1's are leading zero bytes.
        foreach (var c in value)
        {
            if (c != '1')
            {
                break;
            }
            bytes[length++] = 0;
        }
        if (length < 5)
        {
            return false;
        }
        var decoded = bytes[..length];
        decoded.Reverse();
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(decoded[..^4], hash);
        SHA256.HashData(hash, hash);
        return hash[..4].SequenceEqual(decoded[^4..]);
    }

    /// <summary>True when <paramref name="value"/> is a bech32 (BIP-173) or bech32m (BIP-350) string with a valid checksum.</summary>
    public static bool IsValidBech32(ReadOnlySpan<char> value)
    {
        if (value.Length > 90 || (value.ContainsAnyInRange('a', 'z') && value.ContainsAnyInRange('A', 'Z')))
        {
            return false;
        }
        var separator = value.LastIndexOf('1');
        if (separator < 1 || separator + 7 > value.Length)
        {
            return false;
        }
        uint checksum = 1;
        var hrp = value[..separator];
        foreach (var c in hrp)
        {
            if (c < 33 || c > 126)
            {
                return false;
            }
            checksum = Polymod(checksum, (uint)char.ToLowerInvariant(c) >> 5);
        }
        checksum = Polymod(checksum, 0);
        foreach (var c in hrp)
        {
            checksum = Polymod(checksum, (uint)char.ToLowerInvariant(c) & 31);
        }
        foreach (var c in value[(separator + 1)..])
        {
            var digit = Bech32Charset.IndexOf(char.ToLowerInvariant(c));
            if (digit < 0)
            {
                return false;
            }
            checksum = Polymod(checksum, (uint)digit);
        }
        return checksum is 1 or Bech32mConstant;
    }

    private static uint Polymod(uint checksum, uint value)
    {
        var top = checksum >> 25;
        checksum = ((checksum & 0x1FFFFFF) << 5) ^ value;
        for (var i = 0; i < Generator.Length; i++)
        {
            if (((top >> i) & 1) != 0)
            {
                checksum ^= Generator[i];
            }
        }
        return checksum;
    }
}
