namespace Vigil.Webhooks;

/// <summary>
/// The body a webhook endpoint receives: <see cref="Standard"/> (the Standard Webhooks payload
/// <c>{type, timestamp, data}</c>, signed), <see cref="Slack"/> (a Slack incoming-webhook message) or
/// <see cref="Teams"/> (a Microsoft Teams incoming-webhook message with an Adaptive Card). Chat formats are not signed:
/// those services do not verify Standard Webhooks signatures.
/// </summary>
public static class WebhookFormat
{
    /// <summary>The Standard Webhooks payload with <c>webhook-id</c>, <c>webhook-timestamp</c> and <c>webhook-signature</c> headers.</summary>
    public const string Standard = "standard";

    /// <summary>A Slack incoming-webhook body <c>{text, blocks}</c> (Block Kit).</summary>
    public const string Slack = "slack";

    /// <summary>A Teams incoming-webhook body <c>{type:"message", attachments:[Adaptive Card 1.4]}</c>.</summary>
    public const string Teams = "teams";

    /// <summary>Every format.</summary>
    public static readonly string[] All = [Standard, Slack, Teams];

    /// <summary>True when <paramref name="format"/> is one of <see cref="All"/> (exact, lower case).</summary>
    public static bool IsKnown(string? format) => format is Standard or Slack or Teams;
}
