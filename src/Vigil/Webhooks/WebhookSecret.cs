using System.Security.Cryptography;
using System.Text;

namespace Vigil.Webhooks;

/// <summary>
/// Standard Webhooks symmetric signing (spec "Signature scheme", github.com/standard-webhooks/standard-webhooks
/// spec/standard-webhooks.md): the secret is <c>whsec_</c> + base64 of random bytes (here 32), the signature of a
/// message is <c>v1,</c> + base64(HMAC-SHA256(key = the base64-decoded part after <c>whsec_</c>,
/// content = <c>{webhook-id}.{webhook-timestamp}.{body}</c>)), the timestamp in unix seconds.
/// </summary>
public static class WebhookSecret
{
    /// <summary>The prefix that identifies a symmetric Standard Webhooks secret.</summary>
    public const string Prefix = "whsec_";

    /// <summary>A new secret: <c>whsec_</c> + base64 of 32 random bytes (256 bits).</summary>
    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>webhook-signature</c> value (<c>v1,</c> + base64 signature) of one attempt.</summary>
    /// <param name="secret">A secret from <see cref="Generate"/>.</param>
    /// <param name="messageId">The <c>webhook-id</c> (contains no '.').</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c>, unix seconds.</param>
    /// <param name="body">The exact bytes sent as the body.</param>
    /// <exception cref="FormatException">The secret is not <c>whsec_</c> + base64.</exception>
    public static string Sign(string secret, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new FormatException("a webhook secret starts with whsec_");
        }
        var key = Convert.FromBase64String(secret[Prefix.Length..]);
        var header = Encoding.UTF8.GetBytes(FormattableString.Invariant($"{messageId}.{timestamp}."));
        var content = new byte[header.Length + body.Length];
        header.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(header.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }
}
