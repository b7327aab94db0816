using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Vigil.Tests.Webhooks;

/// <summary>
/// A consumer's verification of a Standard Webhooks request, written from the spec (standard-webhooks.md, "Verifying
/// signatures") independently of the gateway's signing code: the key is the base64 part of <c>whsec_…</c>, the signed
/// content <c>{webhook-id}.{webhook-timestamp}.{raw body}</c>, the header a space-separated list of
/// <c>version,base64</c> of which one <c>v1</c> must match (compared in constant time), and the timestamp within a
/// tolerance of now (default 5 minutes) to refuse replays.
/// </summary>
public static class StandardWebhookVerifier
{
    public static bool Verify(string secret, ReceivedWebhook request, TimeSpan? tolerance = null)
    {
        var id = request.Header("webhook-id");
        var timestamp = request.Header("webhook-timestamp");
        var signatures = request.Header("webhook-signature");
        if (id is null || timestamp is null || signatures is null || !secret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            return false;
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > (tolerance ?? TimeSpan.FromMinutes(5)).TotalSeconds)
        {
            return false;
        }
        using var hmac = new HMACSHA256(Convert.FromBase64String(secret["whsec_".Length..]));
        var signedContent = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(request.Body).ToArray();
        var expected = hmac.ComputeHash(signedContent);
        foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = entry.IndexOf(',');
            if (comma < 0 || entry[..comma] != "v1")
            {
                continue;
            }
            byte[] given;
            try
            {
                given = Convert.FromBase64String(entry[(comma + 1)..]);
            }
            catch (FormatException)
            {
                continue;
            }
            if (CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return true;
            }
        }
        return false;
    }
}
