using System.Buffers;
using System.Text;
using Vigil.Masking.Recognizers;
using Vigil.Masking.Rules;

namespace Vigil.Masking;

/// <summary>
/// The masking rules of one connection, compiled: finds entity values in text and replaces them, and says which
/// columns are masked whole. One instance is shared by every session of the connection (<see cref="MaskingSet.ForConnection"/>):
/// it is immutable and thread-safe, and a value with nothing to mask costs a vectorized character scan and no allocation.
/// <para>
/// When several rules name the connection they are taken in name order: the first rule that lists an entity type sets
/// its threshold and strategy, and the first matching column rule wins.
/// </para>
/// </summary>
public sealed class ConnectionMasker
{
    [ThreadStatic] private static List<EntityMatch>? t_found;
    [ThreadStatic] private static List<Candidate>? t_candidates;
    [ThreadStatic] private static List<Segment>? t_segments;
    [ThreadStatic] private static StringBuilder? t_builder;

    private readonly EntityPlan[] _entities;
    private readonly ColumnPlan[] _columns;
    private readonly MaskingHasher _hasher;
    // Null when some recognizer may match any text (a custom regex, DATE_TIME): then every value is scanned.
    private readonly SearchValues<char>? _triggers;
    private readonly SearchValues<byte>? _utf8Triggers;

    private ConnectionMasker(EntityPlan[] entities, ColumnPlan[] columns, MaskingHasher hasher)
    {
        _entities = entities;
        _columns = columns;
        _hasher = hasher;
        EntityTypes = [.. entities.Select(e => e.EntityType)];
        if (entities.All(e => e.Triggers is not null))
        {
            var chars = entities.SelectMany(e => e.TriggerChars!).Distinct().ToArray();
            _triggers = SearchValues.Create(chars);
            // Any byte of a multi-byte UTF-8 sequence may belong to a non-ASCII trigger (a Unicode digit, a full-width '@').
            var bytes = chars.Where(char.IsAscii).Select(c => (byte)c);
            _utf8Triggers = SearchValues.Create([.. chars.Any(c => !char.IsAscii(c)) ? bytes.Concat(Enumerable.Range(0x80, 0x80).Select(b => (byte)b)) : bytes]);
        }
    }

    /// <summary>The entity types searched for in text values, in the order the rules list them.</summary>
    public IReadOnlyList<string> EntityTypes { get; }

    /// <summary>Whether <see cref="Mask"/> can change anything (some entity type has a recognizer).</summary>
    public bool HasEntityRules => _entities.Length > 0;

    /// <summary>Whether <see cref="ForColumn"/> can answer non-null.</summary>
    public bool HasColumnRules => _columns.Length > 0;

    /// <summary>
    /// Compiles <paramref name="rules"/> (those naming one connection) into a masker; null when they mask nothing
    /// (no recognizer for their entity types and no column rule), so the caller takes its zero-cost path.
    /// </summary>
    public static ConnectionMasker? Compile(IEnumerable<MaskingRule> rules, MaskingHasher hasher) =>
        Combine(rules.OrderBy(r => r.Name, StringComparer.Ordinal).Select(RulePlan.Compile), hasher);

    /// <summary>Combines compiled rules, first one first (see the class remarks); null when they mask nothing.</summary>
    internal static ConnectionMasker? Combine(IEnumerable<RulePlan> rules, MaskingHasher hasher)
    {
        var entities = new List<EntityPlan>();
        var columns = new List<ColumnPlan>();
        foreach (var rule in rules)
        {
            entities.AddRange(rule.Entities.Where(e => !entities.Exists(known => known.EntityType == e.EntityType)));
            columns.AddRange(rule.Columns);
        }
        return entities.Count == 0 && columns.Count == 0 ? null : new ConnectionMasker([.. entities], [.. columns], hasher);
    }

    /// <summary>
    /// Whether <paramref name="text"/> may hold a value to mask. False guarantees that <see cref="Mask"/> returns the
    /// text unchanged; true only means the recognizers have to look (every text is a candidate when a custom regex
    /// or a recognizer without a known trigger character is configured).
    /// </summary>
    public bool MightMatch(ReadOnlySpan<char> text) => _entities.Length > 0 && (_triggers is null || text.IndexOfAny(_triggers) >= 0);

    /// <summary>As <see cref="MightMatch(ReadOnlySpan{char})"/> over the UTF-8 bytes of a value, before decoding it.</summary>
    public bool MightMatch(ReadOnlySpan<byte> utf8) => _entities.Length > 0 && (_utf8Triggers is null || utf8.IndexOfAny(_utf8Triggers) >= 0);

    /// <summary>
    /// Masks every entity value in <paramref name="text"/>: runs the recognizers, drops findings scoring below their
    /// rule's <c>score_threshold</c>, resolves overlaps and replaces each finding by its strategy's output
    /// (<see cref="MaskingStrategy"/>; <c>null</c> removes it). Overlaps are resolved as Presidio's anonymizer does:
    /// findings of one entity type that overlap merge into one; between types the higher score wins the overlapping
    /// characters, then the longer finding, and the other keeps only its characters outside the winner, so no
    /// character any finding covers stays visible (an e-mail inside a URL: <c>&lt;URL&gt;&lt;EMAIL_ADDRESS&gt;</c>).
    /// </summary>
    /// <param name="text">The value.</param>
    /// <param name="tally">Counts one per finding masked, by entity type; null to count nothing.</param>
    /// <returns>The masked text, or <paramref name="text"/> itself when nothing was found.</returns>
    public string Mask(string text, MaskingTally? tally)
    {
        if (!MightMatch(text))
        {
            return text;
        }
        var found = t_found ??= [];
        var candidates = t_candidates ??= [];
        candidates.Clear();
        for (var plan = 0; plan < _entities.Length; plan++)
        {
            var entity = _entities[plan];
            if (entity.Triggers is { } triggers && text.AsSpan().IndexOfAny(triggers) < 0)
            {
                continue;
            }
            found.Clear();
            entity.Recognizer.Recognize(text, found);
            foreach (var match in found)
            {
                if (match.Score >= entity.Threshold && match.Length > 0 && match.Start >= 0 && match.Start <= text.Length - match.Length)
                {
                    candidates.Add(new Candidate(match.Start, match.Start + match.Length, match.Score, plan));
                }
            }
        }
        if (candidates.Count == 0)
        {
            return text;
        }
        var segments = Resolve(candidates);
        return Render(text, candidates, segments, tally);
    }

    /// <summary>
    /// The column rule for a result column, or null when none applies. Call it once per result column (per
    /// <c>RowDescription</c>), not per row.
    /// </summary>
    /// <param name="qualifiedTable">The column's table as <c>schema.table</c>, the table alone when its schema is
    /// unknown, or null when the column is not a table's (an expression): then only rules whose table pattern is
    /// <c>*</c> apply.</param>
    /// <param name="column">The column's name as the result describes it.</param>
    public ColumnMask? ForColumn(string? qualifiedTable, string column)
    {
        foreach (var rule in _columns)
        {
            if (Glob.IsMatch(rule.ColumnPattern, column) && TableMatches(rule.TablePattern, qualifiedTable))
            {
                return rule.Mask;
            }
        }
        return null;
    }

    /// <summary>
    /// The masked form of a value of a column that <paramref name="mask"/> covers (from <see cref="ForColumn"/>):
    /// the whole value is replaced by the strategy's output; null means SQL NULL (strategy <c>null</c>).
    /// </summary>
    /// <param name="mask">The column's rule.</param>
    /// <param name="value">The column's value (not NULL: a NULL stays NULL and is not counted).</param>
    /// <param name="tally">Counts the value under the rule's entity type; null to count nothing.</param>
    public string? MaskColumn(ColumnMask mask, string value, MaskingTally? tally)
    {
        tally?.Add(mask.EntityType);
        return mask.Strategy switch
        {
            MaskingStrategy.Null => null,
            MaskingStrategy.Redact => mask.Redacted,
            MaskingStrategy.Hash => _hasher.Hash(value),
            _ => Partial(value),
        };
    }

    private static bool TableMatches(string pattern, string? table)
    {
        if (pattern == "*")
        {
            return true;
        }
        if (table is null)
        {
            return false;
        }
        // A pattern without a dot names the table in any schema.
        return pattern.Contains('.', StringComparison.Ordinal) ? Glob.IsMatch(pattern, table) : Glob.IsMatch(pattern, table.AsSpan(table.LastIndexOf('.') + 1));
    }

    /// <summary>Non-overlapping segments, by start, each owned by one candidate (see <see cref="Mask"/>).</summary>
    private static List<Segment> Resolve(List<Candidate> candidates)
    {
        // Same entity type: overlapping findings merge (Presidio's MERGE_SIMILAR_OR_CONTAINED), keeping the best score.
        candidates.Sort(static (a, b) => a.Plan != b.Plan ? a.Plan.CompareTo(b.Plan) : a.Start.CompareTo(b.Start));
        var merged = 0;
        for (var i = 1; i < candidates.Count; i++)
        {
            var last = candidates[merged];
            var next = candidates[i];
            if (next.Plan == last.Plan && next.Start < last.End)
            {
                candidates[merged] = last with { End = Math.Max(last.End, next.End), Score = Math.Max(last.Score, next.Score) };
            }
            else
            {
                candidates[++merged] = next;
            }
        }
        candidates.RemoveRange(merged + 1, candidates.Count - merged - 1);
        candidates.Sort(static (a, b) => a.Start.CompareTo(b.Start));

        var segments = t_segments ??= [];
        segments.Clear();
        // Runs of transitively overlapping findings are resolved on their own; a finding alone is its own segment.
        for (var first = 0; first < candidates.Count;)
        {
            var end = candidates[first].End;
            var last = first;
            while (last + 1 < candidates.Count && candidates[last + 1].Start < end)
            {
                end = Math.Max(end, candidates[++last].End);
            }
            if (last == first)
            {
                segments.Add(new Segment(candidates[first].Start, candidates[first].End, first));
            }
            else
            {
                ResolveOverlap(candidates, first, last, segments);
            }
            first = last + 1;
        }
        return segments;
    }

    /// <summary>Greedy by priority (score, then length, then position): each finding takes what the better ones left.</summary>
    private static void ResolveOverlap(List<Candidate> candidates, int first, int last, List<Segment> segments)
    {
        var order = Enumerable.Range(first, last - first + 1)
            .OrderByDescending(i => candidates[i].Score)
            .ThenByDescending(i => candidates[i].End - candidates[i].Start)
            .ThenBy(i => candidates[i].Start)
            .ThenBy(i => candidates[i].Plan)
            .ToArray();
        var placed = new List<Segment>();
        foreach (var index in order)
        {
            var (start, end) = (candidates[index].Start, candidates[index].End);
            var cursor = start;
            var pieces = new List<Segment>();
            foreach (var taken in placed)
            {
                if (taken.End <= cursor || taken.Start >= end)
                {
                    continue;
                }
                if (taken.Start > cursor)
                {
                    pieces.Add(new Segment(cursor, taken.Start, index));
                }
                cursor = Math.Max(cursor, taken.End);
            }
            if (cursor < end)
            {
                pieces.Add(new Segment(cursor, end, index));
            }
            placed.AddRange(pieces);
            placed.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        }
        segments.AddRange(placed);
    }

    private string Render(string text, List<Candidate> candidates, List<Segment> segments, MaskingTally? tally)
    {
        var builder = t_builder ??= new StringBuilder();
        builder.Clear();
        Span<char> hash = stackalloc char[MaskingHasher.OutputLength];
        var position = 0;
        foreach (var segment in segments)
        {
            builder.Append(text, position, segment.Start - position);
            var candidate = candidates[segment.Candidate];
            var entity = _entities[candidate.Plan];
            var value = text.AsSpan(segment.Start, segment.End - segment.Start);
            switch (entity.Strategy)
            {
                case MaskingStrategy.Redact:
                    builder.Append(entity.Redacted);
                    break;
                case MaskingStrategy.Partial:
                    AppendPartial(builder, value);
                    break;
                case MaskingStrategy.Hash:
                    _hasher.Write(value, hash);
                    builder.Append(hash);
                    break;
            }
            if (tally is not null && !candidate.Counted)
            {
                tally.Add(entity.EntityType);
                candidates[segment.Candidate] = candidate with { Counted = true };
            }
            position = segment.End;
        }
        builder.Append(text, position, text.Length - position);
        var masked = builder.ToString();
        // A huge value must not stay referenced by the thread's builder.
        if (builder.Capacity > 64 * 1024)
        {
            t_builder = null;
        }
        return masked;
    }

    /// <summary>The <c>partial</c> output of a whole value.</summary>
    internal static string Partial(ReadOnlySpan<char> value) => AppendPartial(new StringBuilder(value.Length), value).ToString();

    /// <summary>
    /// Appends <paramref name="value"/> with every character but the last 4 (fewer for short values: at most half of
    /// them) replaced by one <c>*</c> each. Characters are Unicode scalar values: a surrogate pair is never split.
    /// </summary>
    private static StringBuilder AppendPartial(StringBuilder builder, ReadOnlySpan<char> value)
    {
        var runes = value.Length;
        for (var i = 0; i + 1 < value.Length; i++)
        {
            if (char.IsSurrogatePair(value[i], value[i + 1]))
            {
                runes--;
                i++;
            }
        }
        var keep = Math.Min(4, runes / 2);
        var tail = value.Length;
        for (var kept = 0; kept < keep; kept++)
        {
            tail -= tail >= 2 && char.IsSurrogatePair(value[tail - 2], value[tail - 1]) ? 2 : 1;
        }
        return builder.Append('*', runes - keep).Append(value[tail..]);
    }

    private readonly record struct Candidate(int Start, int End, double Score, int Plan, bool Counted = false);

    private readonly record struct Segment(int Start, int End, int Candidate);

    /// <summary>One entity type to find: its recognizer, the rule's threshold, the strategy, and the characters every finding contains (null: unknown).</summary>
    internal sealed class EntityPlan(string entityType, IEntityRecognizer recognizer, double threshold, MaskingStrategy strategy, string? triggerChars)
    {
        public string EntityType => entityType;
        public IEntityRecognizer Recognizer => recognizer;
        public double Threshold => threshold;
        public MaskingStrategy Strategy => strategy;
        public string Redacted { get; } = $"<{entityType}>";
        public string? TriggerChars => triggerChars;
        public SearchValues<char>? Triggers { get; } = triggerChars is null ? null : SearchValues.Create(triggerChars);
    }

    /// <summary>One column rule with its effective strategy.</summary>
    internal sealed record ColumnPlan(string TablePattern, string ColumnPattern, ColumnMask Mask);

    /// <summary>One rule compiled (its recognizers built once, shared by every connection it names).</summary>
    internal sealed record RulePlan(EntityPlan[] Entities, ColumnPlan[] Columns)
    {
        /// <summary>Every Unicode decimal digit (what <c>\d</c> matches in .NET).</summary>
        private static readonly string Digits = new([.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(char.IsDigit)]);

        public static RulePlan Compile(MaskingRule rule)
        {
            var entities = new List<EntityPlan>();
            foreach (var group in rule.SupportedEntityTypes)
            {
                foreach (var type in group.EntityTypes)
                {
                    // PERSON and LOCATION have no content recognizer: column rules name them.
                    if (EntityRecognizers.For(type) is { } recognizer)
                    {
                        entities.Add(new EntityPlan(type, recognizer, rule.ScoreThreshold, group.Strategy ?? rule.Strategy, BuiltInTriggers(type)));
                    }
                }
            }
            foreach (var custom in rule.CustomEntityTypes)
            {
                var triggers = CustomEntityRecognizer.Triggers(custom) is { } chars ? new string([.. chars.Distinct()]) : null;
                entities.Add(new EntityPlan(custom.Name, CustomEntityRecognizer.Create(custom), rule.ScoreThreshold, custom.Strategy ?? rule.Strategy, triggers));
            }
            var columns = rule.Columns.Select(c => new ColumnPlan(c.TablePattern, c.ColumnPattern, new ColumnMask(c.EntityType, c.Strategy ?? rule.Strategy)));
            return new RulePlan([.. entities], [.. columns]);
        }

        /// <summary>
        /// Characters at least one of which every value of a built-in entity type contains, by the type's format
        /// (an e-mail address has an '@', a card number digits, a MAC address separators); null when a value could
        /// be anything (DATE_TIME, US_DRIVER_LICENSE), so the recognizer always runs.
        /// </summary>
        private static string? BuiltInTriggers(string type) => type switch
        {
            PresidioEntityTypes.EmailAddress => "@\uFF20",
            PresidioEntityTypes.IpAddress => Digits + ":",
            PresidioEntityTypes.MacAddress => ":-.",
            PresidioEntityTypes.Url => ".:\u3002\uFF0E",
            PresidioEntityTypes.PhoneNumber or PresidioEntityTypes.CreditCard or PresidioEntityTypes.UsSsn or PresidioEntityTypes.IbanCode
                or PresidioEntityTypes.Crypto or PresidioEntityTypes.UsBankNumber or PresidioEntityTypes.UsPassport or PresidioEntityTypes.UkNhs => Digits,
            _ => null,
        };
    }
}
