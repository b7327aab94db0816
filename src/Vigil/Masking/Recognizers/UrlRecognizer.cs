using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>URL</c>, as Presidio's <c>UrlRecognizer</c> (CommonRegex's URL pattern): a host name ending in one of Presidio's
/// top-level domains, optionally with a path, at 0.6 with an http(s) scheme ("Standard Url") and 0.5 without ("Non
/// schema URL"). Presidio spells the domains as one alternation inside the regex, too large for
/// RegexOptions.NonBacktracking; Vigil matches any alphabetic last label in linear time and then looks the label up in
/// the same list, and ends the label at a word boundary ("example.community" is not "example.com" plus text).
/// Presidio's quoted variants add only the quotes to the same match and are left out.
/// </summary>
public sealed partial class UrlRecognizer() : EntityRecognizer(PresidioEntityTypes.Url, ["url", "website", "link"])
{
    /// <summary>Score of a URL with an http or https scheme.</summary>
    public const double SchemeScore = 0.6;

    /// <summary>Score of a URL without a scheme.</summary>
    public const double NoSchemeScore = 0.5;

    [GeneratedRegex(@"(?:https?://)?(?:www[0-9]{0,3}[.])?[a-z0-9.\-]{1,253}[.][a-z]{2,24}\b(?:/[^\s()<>""']*)?", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Presidio's top-level domains.</summary>
    public static readonly FrozenSet<string> TopLevelDomainSet = TopLevelDomains.Split('|').ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup = TopLevelDomainSet.GetAlternateLookup<ReadOnlySpan<char>>();

    private const string TopLevelDomains =
        "international|construction|accountants|blackfriday|contractors|engineering|enterprises|investments|"
        + "motorcycles|photography|productions|accountant|apartments|associates|consulting|creditcard|foundation|"
        + "healthcare|management|properties|protection|republican|restaurant|technology|university|vlaanderen|"
        + "christmas|community|directory|education|equipment|financial|furniture|institute|marketing|melbourne|"
        + "solutions|vacations|airforce|attorney|bargains|boutique|builders|business|catering|cleaning|clothing|"
        + "computer|delivery|democrat|diamonds|discount|download|engineer|exchange|feedback|football|graphics|"
        + "holdings|hospital|lighting|memorial|mortgage|observer|partners|pictures|plumbing|property|saarland|"
        + "services|shopping|software|training|ventures|yokohama|academy|auction|capital|careers|charity|college|"
        + "company|contact|cooking|coupons|courses|cricket|cruises|dentist|digital|domains|exposed|express|fashion|"
        + "finance|fishing|fitness|flights|florist|flowers|forsale|gallery|guitars|hamburg|holiday|hosting|jewelry|"
        + "kitchen|limited|markets|monster|network|okinawa|organic|recipes|rentals|reviews|science|singles|spiegel|"
        + "support|surgery|systems|theater|website|wedding|africa|agency|berlin|boston|camera|casino|center|church|"
        + "claims|clinic|coffee|condos|credit|dating|degree|dental|design|direct|doctor|energy|estate|events|expert|"
        + "family|futbol|garden|giving|global|gratis|health|hiphop|hockey|insure|juegos|kaufen|lawyer|london|luxury|"
        + "maison|market|nagoya|online|photos|racing|reisen|repair|report|review|school|schule|soccer|social|supply|"
        + "villas|vision|voting|voyage|webcam|actor|adult|archi|audio|autos|black|boats|build|cards|cheap|click|cloud|"
        + "codes|dance|earth|email|faith|games|gifts|gives|glass|green|gripe|group|guide|homes|horse|house|irish|"
        + "jetzt|kyoto|lease|legal|loans|media|miami|money|movie|ninja|osaka|paris|parts|party|photo|pizza|place|"
        + "poker|press|promo|quest|rehab|reise|rocks|rodeo|salon|shoes|solar|space|study|style|sucks|tires|today|"
        + "tools|tours|trade|video|vodka|wales|watch|works|world|army|asia|auto|baby|band|beer|best|bike|blog|blue|"
        + "bond|buzz|cafe|camp|care|cars|casa|cash|chat|city|club|cool|cyou|date|desi|diet|fail|fans|farm|film|fish|"
        + "fund|game|gmbh|gold|golf|guru|hair|haus|help|host|info|kids|kiwi|land|lgbt|life|limo|link|live|loan|love|"
        + "ltda|meme|mobi|moda|name|navy|news|page|pics|pink|plus|porn|prof|rent|rest|rsvp|sale|sarl|sexy|shop|show|"
        + "site|skin|surf|taxi|team|tech|tips|town|toys|tube|vote|wang|wiki|wine|work|yoga|zone|app|art|bar|bet|bid|"
        + "bio|boo|bot|cab|cam|car|ceo|cfd|com|dad|day|dev|dog|eco|edu|esq|fit|fun|fyi|gay|gdn|gov|how|icu|ink|int|"
        + "krd|lat|law|lol|ltd|mba|men|mil|moe|mom|mov|net|new|ngo|now|nyc|one|ong|onl|org|pet|phd|pro|pub|red|rip|"
        + "run|sbs|sex|soy|tax|tel|top|uno|vet|vin|vip|wtf|xxx|xyz|you|ac|ad|ae|af|ag|ai|al|am|an|ao|aq|ar|as|at|au|"
        + "aw|ax|az|ba|bb|bd|be|bf|bg|bh|bi|bj|bm|bn|bo|br|bs|bt|bv|bw|by|bz|ca|cc|cd|cf|cg|ch|ci|ck|cl|cm|cn|co|cr|"
        + "cu|cv|cw|cx|cy|cz|de|dj|dk|dm|do|dz|ec|ee|eg|er|es|et|eu|fi|fj|fk|fm|fo|fr|ga|gb|gd|ge|gf|gg|gh|gi|gl|gm|"
        + "gn|gp|gq|gr|gs|gt|gu|gw|gy|hk|hm|hn|hr|ht|hu|id|ie|il|im|in|io|iq|ir|is|it|je|jm|jo|jp|ke|kg|kh|ki|km|kn|"
        + "kp|kr|kw|ky|kz|la|lb|lc|li|lk|lr|ls|lt|lu|lv|ly|ma|mc|md|me|mg|mh|mk|ml|mm|mn|mo|mp|mq|mr|ms|mt|mu|mv|mw|"
        + "mx|my|mz|na|nc|ne|nf|ng|ni|nl|no|np|nr|nu|nz|om|pa|pe|pf|pg|ph|pk|pl|pm|pn|pr|ps|pt|pw|py|qa|re|ro|rs|ru|"
        + "rw|sa|sb|sc|sd|se|sg|sh|si|sj|sk|sl|sm|sn|so|sr|st|su|sv|sx|sy|sz|tc|td|tf|tg|th|tj|tk|tl|tm|tn|to|tp|tr|"
        + "tt|tv|tw|tz|ua|ug|uk|us|uy|uz|va|vc|ve|vg|vi|vn|vu|wf|ws|ye|yt|za|zm|zw";

    /// <inheritdoc />
    protected override bool MayContain(string text) => text.Length >= 4 && Candidates.HasDotLetter(text);

    /// <inheritdoc />
    protected override void FindCandidates(string text, List<EntityMatch> matches)
    {
        foreach (var match in Pattern().EnumerateMatches(text))
        {
            var value = text.AsSpan(match.Index, match.Length);
            var scheme = value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7
                : value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8 : 0;
            var host = value[scheme..];
            var slash = host.IndexOf('/');
            if (slash >= 0)
            {
                host = host[..slash];
            }
            if (Lookup.Contains(host[(host.LastIndexOf('.') + 1)..]))
            {
                matches.Add(new EntityMatch(EntityType, match.Index, match.Length, scheme > 0 ? SchemeScore : NoSchemeScore));
            }
        }
    }
}
