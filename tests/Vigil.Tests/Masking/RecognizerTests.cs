using System.Diagnostics;
using Vigil.Masking.Recognizers;

namespace Vigil.Tests.Masking;

/// <summary>Each built-in recognizer on its own: checksums, Presidio's rules, scores, context, and hostile input.</summary>
public sealed class RecognizerTests
{
    private static List<EntityMatch> Find(string entityType, string text, string? context = null)
    {
        var matches = new List<EntityMatch>();
        EntityRecognizers.For(entityType)!.Recognize(text, context, matches);
        return matches;
    }

    private static string[] Values(string entityType, string text, double threshold = 0.4) =>
        Find(entityType, text).Where(m => m.Score >= threshold).Select(m => text.Substring(m.Start, m.Length)).ToArray();

    [Fact]
    public void Registry_has_one_recognizer_per_content_type_and_none_for_column_only_types()
    {
        EntityRecognizers.All.Select(r => r.EntityType).Should().BeEquivalentTo(
            PresidioEntityTypes.All.Except([PresidioEntityTypes.Person, PresidioEntityTypes.Location]));
        EntityRecognizers.For(PresidioEntityTypes.Person).Should().BeNull();
        EntityRecognizers.For(PresidioEntityTypes.Location).Should().BeNull();
        EntityRecognizers.For("email_address").Should().BeNull("Presidio names are exact");
        EntityRecognizers.For(PresidioEntityTypes.CreditCard).Should().BeOfType<CreditCardRecognizer>();
    }

    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("4111 1111 1111 1111", true)]
    [InlineData("4111-1111-1111-1112", false)]
    [InlineData("378282246310005", true)]
    [InlineData("378282246310006", false)]
    public void Credit_card_is_luhn_checked_and_scores_one(string card, bool valid)
    {
        var found = Find(PresidioEntityTypes.CreditCard, $"paid with {card}.");
        if (valid)
        {
            found.Should().ContainSingle().Which.Should().Be(new EntityMatch(PresidioEntityTypes.CreditCard, 10, card.Length, 1.0));
        }
        else
        {
            found.Should().BeEmpty();
        }
    }

    [Theory]
    [InlineData("078-05-1120")]
    [InlineData("000-12-3456")]
    [InlineData("666-12-3456")]
    [InlineData("900-12-3456")]
    [InlineData("123-00-4567")]
    [InlineData("123-45-0000")]
    [InlineData("222-22-2222")]
    [InlineData("123-45-6789")]
    [InlineData("123-45.6780")]
    public void Ssn_in_an_invalid_range_or_with_mixed_delimiters_is_no_match(string ssn) =>
        Find(PresidioEntityTypes.UsSsn, $"SSN {ssn}").Should().BeEmpty();

    [Fact]
    public void Ssn_medium_pattern_scores_half_and_context_raises_it()
    {
        Find(PresidioEntityTypes.UsSsn, "536-22-8842").Should().ContainSingle().Which.Score.Should().Be(0.5);
        Find(PresidioEntityTypes.UsSsn, "my ssn is 536-22-8842").Single().Score.Should().BeApproximately(0.85, 1e-9);
        Find(PresidioEntityTypes.UsSsn, "536228842").Single().Score.Should().Be(0.05);
        Find(PresidioEntityTypes.UsSsn, "social security: 536228842").Single().Score.Should().Be(0.4);
        Find(PresidioEntityTypes.UsSsn, "536228842", context: "customer_ssn").Single().Score.Should().Be(0.4, "the caller's context counts");
    }

    [Fact]
    public void Context_words_count_only_within_five_words_before_the_match()
    {
        Find(PresidioEntityTypes.UsBankNumber, "account 12345678").Single().Score.Should().Be(0.4);
        Find(PresidioEntityTypes.UsBankNumber, "account one two three four five 12345678").Single().Score.Should().Be(0.05);
        Find(PresidioEntityTypes.UsBankNumber, "12345678 account").Single().Score.Should().Be(0.05, "Presidio looks before the match only");
    }

    [Theory]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("DE89 3704 0044 0532 0130 00", true)]
    [InlineData("GB82-WEST-1234-5698-7654-32", true)]
    [InlineData("DE88370400440532013000", false)]
    [InlineData("DE8937040044053201300", false)]
    [InlineData("XX89370400440532013000", false)]
    public void Iban_needs_mod97_and_the_country_length(string iban, bool valid) =>
        Values(PresidioEntityTypes.IbanCode, $"pay {iban} now").Should().BeEquivalentTo(valid ? [iban] : Array.Empty<string>());

    [Fact]
    public void Iban_drops_trailing_text_and_keeps_the_pattern_score_when_lower_case()
    {
        Values(PresidioEntityTypes.IbanCode, "I want my deposit in DE89370400440532013000 2 days from today.")
            .Should().Equal("DE89370400440532013000");
        Find(PresidioEntityTypes.IbanCode, "de89370400440532013000").Single().Score.Should().Be(0.5);
    }

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("203.0.113.45/24", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1ff:fe23:4567:890a%eth0", true)]
    [InlineData("::ffff:192.0.2.128", true)]
    [InlineData("2001:0db8:85a3:0000:0000:8a2e:0370:7334", true)]
    [InlineData("256.1.1.1", false)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData("version 1.2.3.4", false)]
    [InlineData("v1.2.3.4", false)]
    [InlineData("12:30:45", false)]
    public void Ip_addresses_v4_and_v6_parse(string text, bool valid) =>
        Values(PresidioEntityTypes.IpAddress, text).Should().HaveCount(valid ? 1 : 0);

    [Theory]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", true)]
    [InlineData("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", true)]
    [InlineData("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", true)]
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", true)]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", false)]
    [InlineData("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr", false)]
    public void Bitcoin_addresses_need_their_checksum(string address, bool valid) =>
        Values(PresidioEntityTypes.Crypto, $"wallet {address}").Should().BeEquivalentTo(valid ? [address] : Array.Empty<string>());

    [Theory]
    [InlineData("943 476 5919", true)]
    [InlineData("9434765919", true)]
    [InlineData("943-476-5910", false)]
    [InlineData("+1 943 476 5919", false)]
    public void Nhs_number_needs_its_mod11_check(string number, bool valid) =>
        Values(PresidioEntityTypes.UkNhs, number).Should().HaveCount(valid ? 1 : 0);

    [Theory]
    [InlineData("00:1A:2B:3C:4D:5E", true)]
    [InlineData("00-1a-2b-3c-4d-5e", true)]
    [InlineData("0012.3456.789A", true)]
    [InlineData("00:1A:2B-3C:4D:5E", false)]
    [InlineData("FF:FF:FF:FF:FF:FF", false)]
    [InlineData("00:00:00:00:00:00", false)]
    public void Mac_addresses_use_one_separator_and_are_not_broadcast(string mac, bool valid) =>
        Values(PresidioEntityTypes.MacAddress, mac).Should().HaveCount(valid ? 1 : 0);

    [Fact]
    public void Email_url_phone_and_date_find_what_people_write()
    {
        Values(PresidioEntityTypes.EmailAddress, "{\"email\":\"jo.doe+x@mail.example.org\"}").Should().Equal("jo.doe+x@mail.example.org");
        Values(PresidioEntityTypes.EmailAddress, "user@localhost").Should().BeEmpty();
        Values(PresidioEntityTypes.Url, "see https://example.com/a?b=c for more").Should().Equal("https://example.com/a?b=c");
        Values(PresidioEntityTypes.Url, "see https://example.com/unsubscribe?u=tom@example.com").Should().Equal("https://example.com/unsubscribe?u=tom@example.com");
        Values(PresidioEntityTypes.Url, "example.community").Should().Equal("example.community");
        Values(PresidioEntityTypes.PhoneNumber, "call +44 20 7946 0958 today").Should().Equal("+44 20 7946 0958");
        Values(PresidioEntityTypes.DateTime, "born 1990-04-12").Should().Equal("1990-04-12");
        Find(PresidioEntityTypes.PhoneNumber, "+44 20 7946 0958").Single().Score.Should().Be(PhoneNumberRecognizer.Score);
    }

    [Fact]
    public void Weak_patterns_stay_below_half_even_with_context()
    {
        Find(PresidioEntityTypes.UsPassport, "A12345678").Single().Score.Should().Be(0.1);
        Find(PresidioEntityTypes.UsPassport, "passport A12345678").Single().Score.Should().BeApproximately(0.45, 1e-9);
        Find(PresidioEntityTypes.UsDriverLicense, "driver license D1234567").Max(m => m.Score).Should().BeApproximately(0.65, 1e-9);
    }

    [Fact]
    public void Analyze_drops_a_url_inside_an_email_and_filters_by_threshold()
    {
        var found = new List<EntityMatch>();
        EntityRecognizers.Analyze("mail john@example.com", EntityRecognizers.All, 0.5, found);
        found.Should().ContainSingle().Which.EntityType.Should().Be(PresidioEntityTypes.EmailAddress);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("12345")]
    [InlineData("\ud800\udc00\ud800")]
    [InlineData("\udc00 4111111111111111 \ud800")]
    public void Empty_plain_and_broken_surrogate_text_never_throws(string text)
    {
        foreach (var recognizer in EntityRecognizers.All)
        {
            var matches = new List<EntityMatch>();
            recognizer.Recognize(text, matches);
            matches.TrueForAll(m => m.Start >= 0 && m.Start + m.Length <= text.Length).Should().BeTrue();
        }
        var card = new List<EntityMatch>();
        EntityRecognizers.For(PresidioEntityTypes.CreditCard)!.Recognize("\udc00 4111111111111111 \ud800", card);
        (text.Contains("4111", StringComparison.Ordinal) ? card.Count : 1).Should().Be(1);
    }

    [Fact]
    public void One_megabyte_values_and_backtracking_bait_finish_quickly()
    {
        var baits = new[]
        {
            new string('a', 1 << 20),
            string.Concat(Enumerable.Repeat("1.", 1 << 19)),
            string.Concat(Enumerable.Repeat("a.", 1 << 19)) + "@",
            string.Concat(Enumerable.Repeat("ab:", 1 << 18)),
            string.Concat(Enumerable.Repeat("4111 ", 1 << 18)),
            string.Concat(Enumerable.Repeat("x-", 1 << 19)) + "@x",
            new string('1', 1 << 20),
            "DE89" + string.Concat(Enumerable.Repeat(" 1234", 1 << 17)),
        };
        foreach (var bait in baits)
        {
            var watch = Stopwatch.StartNew();
            foreach (var recognizer in EntityRecognizers.All)
            {
                recognizer.Recognize(bait, []);
            }
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "bait {0}…", bait[..16]);
        }
        var big = string.Concat(Enumerable.Repeat("row of text ", 1 << 16)) + "john@example.com";
        Values(PresidioEntityTypes.EmailAddress, big).Should().Equal("john@example.com");
    }
}
