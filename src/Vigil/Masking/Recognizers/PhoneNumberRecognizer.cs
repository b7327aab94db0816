using PhoneNumbers;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>PHONE_NUMBER</c>, as Presidio's <c>PhoneRecognizer</c>: libphonenumber's matcher (the C# port of the library
/// python-phonenumbers ports) at leniency VALID, run once per default region (US, GB, DE, FR, IL, IN, CA, BR), each
/// number found scoring 0.4 before context. Presidio lists "UK", which libphonenumber does not know (so Presidio only
/// finds British numbers written with +44); Vigil passes the region code libphonenumber uses, "GB".
/// </summary>
public sealed class PhoneNumberRecognizer() : EntityRecognizer(PresidioEntityTypes.PhoneNumber,
    ["phone", "number", "telephone", "cell", "cellphone", "mobile", "call"])
{
    /// <summary>Presidio's <c>PhoneRecognizer.SCORE</c>.</summary>
    public const double Score = 0.4;

    /// <summary>Presidio's <c>DEFAULT_SUPPORTED_REGIONS</c> (with GB for UK).</summary>
    public static readonly IReadOnlyList<string> Regions = ["US", "GB", "DE", "FR", "IL", "IN", "CA", "BR"];

    /// <summary>python-phonenumbers' default <c>max_tries</c> for one matcher.</summary>
    private const long MaxTries = 65535;

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <inheritdoc />
    // The shortest valid national numbers of the default regions have 7 digits with the area code (a German
    // 030 9018): fewer digits in one written run cannot be a number libphonenumber calls VALID there.
    protected override bool MayContain(string text) => Candidates.HasDigitRun(text, 7, Candidates.PhoneCharacters);

    /// <inheritdoc />
    protected override void FindCandidates(string text, List<EntityMatch> matches)
    {
        foreach (var region in Regions)
        {
            foreach (var match in Util.FindNumbers(text, region, PhoneNumberUtil.Leniency.VALID, MaxTries))
            {
                matches.Add(new EntityMatch(EntityType, match.Start, match.Length, Score));
            }
        }
    }
}
