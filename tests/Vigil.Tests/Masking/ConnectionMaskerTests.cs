using System.Diagnostics;
using Vigil.Masking;
using Vigil.Masking.Rules;
using Vigil.Security;

namespace Vigil.Tests.Masking;

/// <summary>
/// The compiled masker on its own: strategies, thresholds, deny lists, overlap resolution, column globs, the hash key,
/// the fast path and concurrency. Built-in recognizers are exercised through EMAIL_ADDRESS only; everything else
/// through custom entity types, whose recognizers this feature owns.
/// </summary>
public sealed class ConnectionMaskerTests
{
    private static readonly MaskingHasher Hasher = HasherFor(1);

    private static MaskingHasher HasherFor(byte fill) => new(new SecretProtector(Enumerable.Repeat(fill, 32).ToArray()));

    private static MaskingRule Rule(
        string name = "rule", double threshold = 0, MaskingStrategy strategy = MaskingStrategy.Redact, EntityTypeGroup[]? groups = null,
        CustomEntityType[]? customs = null, ColumnRule[]? columns = null) =>
        new(Guid.NewGuid().ToString(), name, null, ["pg"], groups ?? [], customs ?? [], threshold, strategy, columns ?? [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static EntityTypeGroup Email(MaskingStrategy? strategy = null) => new("PII", ["EMAIL_ADDRESS"], strategy);

    private static CustomEntityType Regex(string name, string pattern, double score = 1, MaskingStrategy? strategy = null) => new(name, pattern, [], score, strategy);

    private static ConnectionMasker Masker(params MaskingRule[] rules) => ConnectionMasker.Compile(rules, Hasher)!;

    [Fact]
    public void Redact_replaces_each_finding_by_its_entity_type_and_counts_it()
    {
        var masker = Masker(Rule(groups: [Email()]));
        var tally = new MaskingTally();
        masker.Mask("mail bob@example.com or ann.lee@corp.example.org today", tally)
            .Should().Be("mail <EMAIL_ADDRESS> or <EMAIL_ADDRESS> today");
        tally.Counts.Should().Equal(new Dictionary<string, long> { ["EMAIL_ADDRESS"] = 2 });
        tally.Total.Should().Be(2);
    }

    [Fact]
    public void A_value_without_findings_is_returned_as_the_same_instance_and_the_pre_check_says_so()
    {
        var masker = Masker(Rule(groups: [Email()]));
        var plain = "no address in here, 42 apples";
        masker.MightMatch(plain).Should().BeFalse();
        masker.MightMatch("no address in here"u8).Should().BeFalse();
        masker.MightMatch("a@b"u8).Should().BeTrue();
        masker.MightMatch("full-width \uFF20 sign".AsSpan()).Should().BeTrue();
        masker.MightMatch("caf\u00e9"u8).Should().BeTrue("a non-ASCII trigger may hide in any multi-byte sequence");
        var tally = new MaskingTally();
        masker.Mask(plain, tally).Should().BeSameAs(plain);
        var atButNoAddress = "meet @ noon";
        masker.MightMatch(atButNoAddress).Should().BeTrue();
        masker.Mask(atButNoAddress, tally).Should().BeSameAs(atButNoAddress);
        tally.Total.Should().Be(0);
    }

    [Fact]
    public void Masking_values_without_findings_allocates_nothing()
    {
        var masker = Masker(Rule(groups: [Email()], customs: [new CustomEntityType("CODENAME", null, ["falcon", "osprey"], 1, null)]));
        string[] values = ["meet @ noon near the Falconry", "plain text", "ospreys @ dusk"];
        foreach (var value in values)
        {
            masker.Mask(value, null);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            foreach (var value in values)
            {
                masker.Mask(value, null);
            }
        }
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Partial_keeps_the_last_four_characters_and_at_most_half_of_a_short_value()
    {
        var masker = Masker(Rule(strategy: MaskingStrategy.Partial, groups: [Email()], customs: [Regex("CARD", @"\b\d{16}\b"), Regex("PIN", @"\bpin\d{1,2}\b")]));
        masker.Mask("card 4111111111111111 of bob@example.com", null).Should().Be("card ************1111 of ***********.com");
        masker.Mask("pin1 and pin12", null).Should().Be("**n1 and ***12");
        ConnectionMasker.Partial("ab").Should().Be("*b");
        ConnectionMasker.Partial("a").Should().Be("*");
        ConnectionMasker.Partial("").Should().Be("");
        // Surrogate pairs count as one character and are never split.
        ConnectionMasker.Partial("\U0001F600\U0001F601\U0001F602\U0001F603\U0001F604\U0001F605\U0001F606\U0001F607\U0001F608\U0001F609")
            .Should().Be("******\U0001F606\U0001F607\U0001F608\U0001F609");
    }

    [Fact]
    public void Hash_is_stable_across_instances_and_differs_by_value_and_by_master_key()
    {
        var rule = Rule(strategy: MaskingStrategy.Hash, groups: [Email()]);
        var first = ConnectionMasker.Compile([rule], HasherFor(7))!.Mask("from bob@example.com", null);
        var again = ConnectionMasker.Compile([rule], HasherFor(7))!.Mask("from bob@example.com", null);
        var other = ConnectionMasker.Compile([rule], HasherFor(7))!.Mask("from ann@example.com", null);
        var otherKey = ConnectionMasker.Compile([rule], HasherFor(8))!.Mask("from bob@example.com", null);
        first.Should().MatchRegex("^from hash:[0-9a-f]{16}$");
        again.Should().Be(first);
        other.Should().NotBe(first);
        otherKey.Should().NotBe(first);
        // A hashed column value equals the hash of the same value found in text: joins across both still work.
        var masker = ConnectionMasker.Compile([rule], HasherFor(7))!;
        masker.MaskColumn(new ColumnMask("EMAIL_ADDRESS", MaskingStrategy.Hash), "bob@example.com", null).Should().Be(first["from ".Length..]);
    }

    [Fact]
    public void Null_removes_a_finding_from_text_and_makes_a_column_sql_null()
    {
        var masker = Masker(Rule(strategy: MaskingStrategy.Null, groups: [Email()], columns: [new ColumnRule("*", "email", "EMAIL_ADDRESS", null)]));
        masker.Mask("to: bob@example.com.", null).Should().Be("to: .");
        var tally = new MaskingTally();
        masker.MaskColumn(masker.ForColumn("public.customers", "email")!, "bob@example.com", tally).Should().BeNull();
        tally.Counts["EMAIL_ADDRESS"].Should().Be(1);
    }

    [Fact]
    public void An_entity_types_own_strategy_overrides_the_rules()
    {
        var masker = Masker(Rule(strategy: MaskingStrategy.Redact, groups: [Email(MaskingStrategy.Partial)], customs: [Regex("EMPLOYEE_ID", @"\bE-\d{6}\b", strategy: MaskingStrategy.Hash), Regex("ORDER", @"\bO-\d{4}\b")]));
        masker.Mask("E-123456 sent O-9876 to bob@example.com", null).Should().MatchRegex(@"^hash:[0-9a-f]{16} sent <ORDER> to \*{11}\.com$");
    }

    [Theory]
    [InlineData(0.5, 0.49, false)]
    [InlineData(0.5, 0.5, true)]
    [InlineData(0.0, 0.0, true)]
    [InlineData(0.9, 1.0, true)]
    public void Findings_scoring_below_the_threshold_stay(double threshold, double score, bool masked)
    {
        var masker = Masker(Rule(threshold: threshold, customs: [Regex("TICKET", @"\bT\d{5}\b", score)]));
        masker.Mask("see T12345", null).Should().Be(masked ? "see <TICKET>" : "see T12345");
    }

    [Fact]
    public void Deny_list_words_match_whole_and_ignoring_case()
    {
        var masker = Masker(Rule(customs: [new CustomEntityType("CODENAME", null, ["falcon", "Blue Heron"], 0.8, null)]));
        var tally = new MaskingTally();
        masker.Mask("Project FALCON, falconry, blue heron; (falcon)_falcon falcon", tally)
            .Should().Be("Project <CODENAME>, falconry, <CODENAME>; (<CODENAME>)_falcon <CODENAME>");
        tally.Counts["CODENAME"].Should().Be(4);
        masker.MightMatch("nothing to see").Should().BeFalse("no word starts with n, t or s");
        masker.MightMatch("Flight").Should().BeTrue();
    }

    [Fact]
    public void Overlaps_go_to_the_higher_score_then_the_longer_finding_and_no_covered_character_stays()
    {
        var link = Regex("LINK", @"https?://\S+", score: 0.5);
        var masker = Masker(Rule(groups: [Email()], customs: [link]));
        var tally = new MaskingTally();
        // The e-mail (score 1.0) wins its characters; the URL keeps the rest, on both sides.
        masker.Mask("see https://x.io/u/bob@example.com/page now", tally).Should().Be("see <LINK><EMAIL_ADDRESS><LINK> now");
        tally.Counts.Should().Equal(new Dictionary<string, long> { ["LINK"] = 1, ["EMAIL_ADDRESS"] = 1 });

        // Same score: the longer finding takes everything.
        var equal = Masker(Rule(groups: [Email()], customs: [link with { Score = 1.0 }]));
        equal.Mask("see https://x.io/?u=bob@example.com now", null).Should().Be("see <LINK> now");

        // Partial overlap: the better finding wins the shared characters, the other keeps its own.
        var ids = Masker(Rule(customs: [Regex("AAA", "abc123", 0.9), Regex("BBB", "123xyz", 0.6)]));
        ids.Mask("-abc123xyz-", null).Should().Be("-<AAA><BBB>-");
    }

    [Fact]
    public void Column_rules_match_case_insensitive_globs_over_schema_dot_table_and_column()
    {
        var masker = Masker(Rule(columns:
        [
            new ColumnRule("public.customers", "email", "EMAIL_ADDRESS", MaskingStrategy.Hash),
            new ColumnRule("*.orders", "card*", "CREDIT_CARD", null),
            new ColumnRule("staff", "full_name", "PERSON", MaskingStrategy.Partial),
            new ColumnRule("*", "*_ssn", "US_SSN", null),
        ]));
        masker.HasEntityRules.Should().BeFalse();
        masker.HasColumnRules.Should().BeTrue();
        masker.ForColumn("public.customers", "EMAIL")!.Strategy.Should().Be(MaskingStrategy.Hash);
        masker.ForColumn("Public.Customers", "email").Should().NotBeNull();
        masker.ForColumn("sales.customers", "email").Should().BeNull();
        masker.ForColumn("sales.orders", "card_number")!.EntityType.Should().Be("CREDIT_CARD");
        masker.ForColumn("sales.orders", "the_card").Should().BeNull();
        masker.ForColumn("hr.staff", "full_name")!.Strategy.Should().Be(MaskingStrategy.Partial);
        masker.ForColumn("staff", "full_name").Should().NotBeNull("a schema-less table still matches a pattern without a dot");
        masker.ForColumn(null, "tax_ssn")!.EntityType.Should().Be("US_SSN");
        masker.ForColumn(null, "email").Should().BeNull("an expression's column matches only table pattern *");
        masker.ForColumn("public.customers", "name").Should().BeNull();

        var tally = new MaskingTally();
        masker.MaskColumn(masker.ForColumn("x.orders", "card")!, "4111111111111111", tally).Should().Be("<CREDIT_CARD>");
        masker.MaskColumn(masker.ForColumn("hr.staff", "full_name")!, "Ann Lee", tally).Should().Be("****Lee");
        tally.Counts.Should().Equal(new Dictionary<string, long> { ["CREDIT_CARD"] = 1, ["PERSON"] = 1 });
    }

    [Fact]
    public void Several_rules_combine_in_name_order_the_first_naming_a_type_sets_it()
    {
        var beta = Rule("beta", strategy: MaskingStrategy.Hash, groups: [Email()], columns: [new ColumnRule("*", "email", "EMAIL_ADDRESS", MaskingStrategy.Hash)]);
        var alpha = Rule("alpha", strategy: MaskingStrategy.Redact, groups: [Email()], columns: [new ColumnRule("*", "e*", "EMAIL_ADDRESS", MaskingStrategy.Null)]);
        var masker = Masker(beta, alpha);
        masker.Mask("bob@example.com", null).Should().Be("<EMAIL_ADDRESS>");
        masker.EntityTypes.Should().Equal("EMAIL_ADDRESS");
        masker.ForColumn(null, "email")!.Strategy.Should().Be(MaskingStrategy.Null);
    }

    [Fact]
    public void Rules_that_mask_nothing_compile_to_no_masker()
    {
        ConnectionMasker.Compile([Rule(groups: [new EntityTypeGroup("NER", ["PERSON", "LOCATION"], null)])], Hasher).Should().BeNull();
        ConnectionMasker.Compile([], Hasher).Should().BeNull();
    }

    [Fact]
    public void A_catastrophic_pattern_runs_in_linear_time_and_one_the_linear_engine_cannot_run_fails_closed()
    {
        var evil = new string('a', 50_000) + "!";
        var linear = Masker(Rule(customs: [Regex("EVIL", "(a+)+$")]));
        var watch = Stopwatch.StartNew();
        linear.Mask(evil, null).Should().BeSameAs(evil);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));

        // A backreference needs the backtracking engine: bounded by the match timeout, after which the whole value is masked.
        var backtracking = Masker(Rule(customs: [Regex("EVIL", @"^(a+)+\1!?b")]));
        var tally = new MaskingTally();
        watch.Restart();
        backtracking.Mask(evil, tally).Should().Be("<EVIL>");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        tally.Counts["EVIL"].Should().Be(1);
    }

    [Fact]
    public void A_zero_length_match_masks_nothing()
    {
        var masker = Masker(Rule(customs: [Regex("EMPTY", "x*")]));
        masker.Mask("abc", null).Should().Be("abc");
        masker.Mask("axxb", null).Should().Be("a<EMPTY>b");
    }

    [Fact]
    public void One_masker_is_safe_to_share_between_threads()
    {
        var masker = Masker(Rule(groups: [Email()], customs: [new CustomEntityType("CODENAME", null, ["falcon"], 1, null), Regex("CARD", @"\b\d{16}\b", strategy: MaskingStrategy.Hash)]));
        var inputs = Enumerable.Range(0, 2000).Select(i => $"row {i}: user{i}@example.com falcon 4111{i:D12} tail").ToArray();
        var expected = inputs.Select(v => masker.Mask(v, null)).ToArray();
        var actual = new string[inputs.Length];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => actual[i] = masker.Mask(inputs[i], new MaskingTally()));
        actual.Should().Equal(expected);
        expected[3].Should().MatchRegex(@"^row 3: <EMAIL_ADDRESS> <CODENAME> hash:[0-9a-f]{16} tail$");
    }
}
