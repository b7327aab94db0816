using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Analysis;
using Vigil.Hosting;
using Vigil.Storage;

namespace Vigil.Reviews;

/// <summary>What a new review holds before anyone decides.</summary>
public sealed record NewReview(
    string Type,
    string? SessionId,
    string? SessionType,
    string Connection,
    string RequestedById,
    string RequestedBy,
    string Input,
    AiAnalysis? Analysis,
    IReadOnlyList<string> ReviewerGroups,
    int MinApprovals,
    TimeSpan ReviewTimeout,
    string? Reason,
    TimeSpan? AccessDuration);

/// <summary>Filters of <c>GET /api/reviews</c>; <see cref="DecidableBy"/> is "waiting for me", <see cref="VisibleTo"/> limits a non-auditor.</summary>
public sealed record ReviewQuery(
    string? Status, string? Connection, string? RequestedBy, string? Type, Identity.CallerIdentity? DecidableBy, Identity.CallerIdentity? VisibleTo,
    int Page, int PageSize);

/// <summary>How a state change went: <see cref="Review"/> is the review afterwards (null when unknown).</summary>
public enum ReviewChange
{
    /// <summary>Recorded; the status may have moved.</summary>
    Done,
    /// <summary>No such review.</summary>
    NotFound,
    /// <summary>The review is not in a state that allows it (the review says which).</summary>
    Conflict,
    /// <summary>This reviewer already decided.</summary>
    AlreadyDecided,
}

/// <summary>
/// Reviews in the store. Every state change runs in one <c>BEGIN IMMEDIATE</c> transaction that re-reads the status,
/// so concurrent reviewers, the expiry sweep and executions serialize: exactly one of them moves a review out of
/// <c>pending</c> (or out of <c>approved</c>), and the others see the result.
/// </summary>
public sealed class ReviewRepository(SqliteStore store)
{
    private const string Columns =
        "id, type, session_id, session_type, connection, requested_by_id, requested_by, input, input_sha256, ai_analysis, reviewer_groups, " +
        "min_approvals, review_timeout_seconds, status, reason, access_duration_seconds, access_expires_at, created_at, updated_at, expires_at, executed_at";

    /// <summary>SHA-256 of <paramref name="input"/>'s UTF-8 bytes, lower-case hex: what an approval is bound to.</summary>
    public static string Sha256(string input) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)));

    /// <summary>Inserts a pending review that expires <see cref="NewReview.ReviewTimeout"/> after <paramref name="now"/>.</summary>
    public async Task<Review> CreateAsync(NewReview review, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString();
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO reviews ({Columns})
            VALUES (@id, @type, @session_id, @session_type, @connection, @requested_by_id, @requested_by, @input, @input_sha256, @ai_analysis,
                    @reviewer_groups, @min_approvals, @review_timeout_seconds, 'pending', @reason, @access_duration_seconds, NULL, @now, @now, @expires_at, NULL)
            """,
            new
            {
                id, type = review.Type, session_id = review.SessionId, session_type = review.SessionType, connection = review.Connection,
                requested_by_id = review.RequestedById, requested_by = review.RequestedBy, input = review.Input, input_sha256 = Sha256(review.Input),
                ai_analysis = review.Analysis is null ? null : JsonSerializer.Serialize(review.Analysis, Api.Json),
                reviewer_groups = JsonSerializer.Serialize(review.ReviewerGroups), min_approvals = review.MinApprovals,
                review_timeout_seconds = (long)review.ReviewTimeout.TotalSeconds, reason = review.Reason,
                access_duration_seconds = review.AccessDuration is { } d ? (long?)d.TotalSeconds : null,
                now = Rfc3339.Format(now), expires_at = Rfc3339.Format(now + review.ReviewTimeout),
            },
            cancellationToken: cancellationToken));
        return (await FindAsync(db, id, null, cancellationToken))!;
    }

    /// <summary>The review with its decisions, or null.</summary>
    public async Task<Review?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await FindAsync(db, id, null, cancellationToken);
    }

    /// <summary>A page of reviews matching <paramref name="query"/>, newest first, and the total that match.</summary>
    public async Task<(IReadOnlyList<Review> Items, long Total)> ListAsync(ReviewQuery query, CancellationToken cancellationToken)
    {
        var where = new SqlFilter()
            .Equal("status", query.Status)
            .Equal("connection", query.Connection)
            .Equal("requested_by", query.RequestedBy)
            .Equal("type", query.Type);
        if (query.DecidableBy is { } reviewer)
        {
            where.And("status = 'pending' AND requested_by_id <> @reviewer_id AND NOT EXISTS (SELECT 1 FROM review_decisions d WHERE d.review_id = reviews.id AND d.reviewer_id = @reviewer_id)");
            where.Args.Add("reviewer_id", reviewer.UserId);
            if (!reviewer.IsAdmin)
            {
                where.And("EXISTS (SELECT 1 FROM json_each(reviews.reviewer_groups) g WHERE g.value IN @reviewer_groups)");
                where.Args.Add("reviewer_groups", reviewer.Groups.ToArray());
            }
        }
        if (query.VisibleTo is { CanAudit: false } viewer)
        {
            where.And("requested_by_id = @viewer_id OR EXISTS (SELECT 1 FROM json_each(reviews.reviewer_groups) g WHERE g.value IN @viewer_groups)");
            where.Args.Add("viewer_id", viewer.UserId);
            where.Args.Add("viewer_groups", viewer.Groups.ToArray());
        }
        where.Args.Add("limit", query.PageSize);
        where.Args.Add("offset", (query.Page - 1) * query.PageSize);
        await using var db = await store.OpenAsync(cancellationToken);
        var total = await db.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM reviews{where}", where.Args, cancellationToken: cancellationToken));
        var rows = (await db.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM reviews{where} ORDER BY created_at DESC, id LIMIT @limit OFFSET @offset", where.Args, cancellationToken: cancellationToken))).ToList();
        var decisions = await DecisionsAsync(db, rows.Select(r => r.id).ToArray(), null, cancellationToken);
        return (rows.Select(r => r.ToReview(decisions[r.id].ToList())).ToList(), total);
    }

    /// <summary>
    /// Records <paramref name="reviewerName"/>'s decision on a pending review. A rejection rejects; the
    /// <c>min_approvals</c>-th distinct approval approves (a one-time review is then usable for its review timeout,
    /// an access request grants access for its duration). A pending review past its expiry is expired instead.
    /// </summary>
    public Task<(ReviewChange Change, Review? Review)> DecideAsync(
        string id, string reviewerId, string reviewerName, string decision, string? reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        ChangeAsync(id, now, cancellationToken, async (db, tx, row) =>
        {
            if (row.status != ReviewStatus.Pending)
            {
                return ReviewChange.Conflict;
            }
            var inserted = await db.ExecuteAsync(new CommandDefinition(
                "INSERT INTO review_decisions (review_id, reviewer_id, reviewer, decision, reason, at) VALUES (@id, @reviewerId, @reviewerName, @decision, @reason, @at) ON CONFLICT DO NOTHING",
                new { id, reviewerId, reviewerName, decision, reason, at = Rfc3339.Format(now) }, tx, cancellationToken: cancellationToken));
            if (inserted == 0)
            {
                return ReviewChange.AlreadyDecided;
            }
            if (decision == ReviewDecision.Rejected)
            {
                await SetAsync(db, tx, id, "status = 'rejected'", now, cancellationToken);
                return ReviewChange.Done;
            }
            var approvals = await db.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM review_decisions WHERE review_id = @id AND decision = 'approved'", new { id }, tx, cancellationToken: cancellationToken));
            if (approvals >= row.min_approvals)
            {
                var window = row.type == ReviewType.Jit
                    ? $"status = 'approved', access_expires_at = '{Rfc3339.Format(now + TimeSpan.FromSeconds(row.access_duration_seconds ?? 0))}'"
                    : $"status = 'approved', expires_at = '{Rfc3339.Format(now + TimeSpan.FromSeconds(row.review_timeout_seconds))}'";
                await SetAsync(db, tx, id, window, now, cancellationToken);
            }
            return ReviewChange.Done;
        });

    /// <summary>Withdraws a pending review (its requester's choice).</summary>
    public Task<(ReviewChange Change, Review? Review)> CancelAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        ChangeAsync(id, now, cancellationToken, async (db, tx, row) =>
        {
            if (row.status != ReviewStatus.Pending)
            {
                return ReviewChange.Conflict;
            }
            await SetAsync(db, tx, id, "status = 'cancelled'", now, cancellationToken);
            return ReviewChange.Done;
        });

    /// <summary>Moves an approved, unexpired one-time review to <c>executed</c>: the single use its approval allows.</summary>
    public Task<(ReviewChange Change, Review? Review)> ClaimAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        ChangeAsync(id, now, cancellationToken, async (db, tx, row) =>
        {
            if (row.status != ReviewStatus.Approved || row.type != ReviewType.OneTime)
            {
                return ReviewChange.Conflict;
            }
            await SetAsync(db, tx, id, $"status = 'executed', executed_at = '{Rfc3339.Format(now)}'", now, cancellationToken);
            return ReviewChange.Done;
        });

    /// <summary>
    /// Claims (as <see cref="ClaimAsync"/>) the oldest approved, unexpired one-time review of exactly this input by
    /// this requester on this connection; null when there is none.
    /// </summary>
    public async Task<Review?> ClaimBindingAsync(string connection, string requestedById, string input, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var id = await db.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            SELECT id FROM reviews WHERE status = 'approved' AND type = 'onetime' AND connection = @connection
            AND requested_by_id = @requestedById AND input_sha256 = @sha AND expires_at > @now ORDER BY created_at LIMIT 1
            """,
            new { connection, requestedById, sha = Sha256(input), now = Rfc3339.Format(now) }, cancellationToken: cancellationToken));
        if (id is null)
        {
            return null;
        }
        var (change, review) = await ClaimAsync(id, now, cancellationToken);
        return change == ReviewChange.Done ? review : null;
    }

    /// <summary>
    /// Expires review <paramref name="id"/> when its <c>expires_at</c> has passed (<see cref="Review.Lapses"/>):
    /// <see cref="ReviewChange.Done"/> only for the one caller that moved it, whoever else (the sweep, another read)
    /// raced it; <see cref="ReviewChange.Conflict"/> when there was nothing to expire.
    /// </summary>
    public Task<(ReviewChange Change, Review? Review)> ExpireAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        ChangeAsync(id, now, cancellationToken, change: null);

    /// <summary>
    /// Expires every pending review, and every unused one-time approval, whose <c>expires_at</c> has passed; returns
    /// the reviews that changed.
    /// </summary>
    public async Task<IReadOnlyList<Review>> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<string> due;
        await using (var db = await store.OpenAsync(cancellationToken))
        {
            due = (await db.QueryAsync<string>(new CommandDefinition(
                "SELECT id FROM reviews WHERE expires_at <= @now AND (status = 'pending' OR (status = 'approved' AND type = 'onetime'))",
                new { now = Rfc3339.Format(now) }, cancellationToken: cancellationToken))).ToList();
        }
        var expired = new List<Review>();
        foreach (var id in due)
        {
            var (change, review) = await ExpireAsync(id, now, cancellationToken);
            if (change == ReviewChange.Done && review!.Status == ReviewStatus.Expired)
            {
                expired.Add(review);
            }
        }
        return expired;
    }

    /// <summary>When <paramref name="userId"/>'s latest approved access to <paramref name="connection"/> ends, or null when none is active.</summary>
    public async Task<DateTimeOffset?> ActiveAccessUntilAsync(string connection, string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var until = await db.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            SELECT max(access_expires_at) FROM reviews WHERE type = 'jit' AND status = 'approved' AND connection = @connection
            AND requested_by_id = @userId AND access_expires_at > @now
            """,
            new { connection, userId, now = Rfc3339.Format(now) }, cancellationToken: cancellationToken));
        return until is null ? null : Rfc3339.Parse(until);
    }

    /// <summary>
    /// Runs <paramref name="change"/> on the review's current row inside one immediate transaction. A review found
    /// pending (or approved one-time) past its expiry is expired first and reported as <see cref="ReviewChange.Done"/>
    /// with status <c>expired</c>, whatever the change wanted; with no <paramref name="change"/>, that expiry is all
    /// it does (anything else is a <see cref="ReviewChange.Conflict"/>).
    /// </summary>
    private async Task<(ReviewChange, Review?)> ChangeAsync(
        string id, DateTimeOffset now, CancellationToken cancellationToken, Func<SqliteConnection, SqliteTransaction, Row, Task<ReviewChange>>? change)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await db.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM reviews WHERE id = @id", new { id }, tx, cancellationToken: cancellationToken));
        if (row is null)
        {
            return (ReviewChange.NotFound, null);
        }
        ReviewChange result;
        if (Review.Lapses(row.status, row.type, Rfc3339.Parse(row.expires_at), now))
        {
            await SetAsync(db, tx, id, "status = 'expired'", now, cancellationToken);
            result = ReviewChange.Done;
        }
        else
        {
            result = change is null ? ReviewChange.Conflict : await change(db, tx, row);
        }
        var review = await FindAsync(db, id, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (result, review);
    }

    private static Task SetAsync(SqliteConnection db, SqliteTransaction tx, string id, string assignments, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.ExecuteAsync(new CommandDefinition(
            $"UPDATE reviews SET {assignments}, updated_at = @now WHERE id = @id", new { id, now = Rfc3339.Format(now) }, tx, cancellationToken: cancellationToken));

    private static async Task<Review?> FindAsync(SqliteConnection db, string id, SqliteTransaction? tx, CancellationToken cancellationToken)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM reviews WHERE id = @id", new { id }, tx, cancellationToken: cancellationToken));
        return row?.ToReview((await DecisionsAsync(db, [id], tx, cancellationToken))[id].ToList());
    }

    private static async Task<ILookup<string, ReviewDecision>> DecisionsAsync(SqliteConnection db, string[] ids, SqliteTransaction? tx, CancellationToken cancellationToken)
    {
        var rows = await db.QueryAsync<(string review_id, string reviewer, string decision, string? reason, string at)>(new CommandDefinition(
            "SELECT review_id, reviewer, decision, reason, at FROM review_decisions WHERE review_id IN @ids ORDER BY at, reviewer",
            new { ids }, tx, cancellationToken: cancellationToken));
        return rows.ToLookup(r => r.review_id, r => new ReviewDecision(r.reviewer, r.decision, r.reason, r.at), StringComparer.Ordinal);
    }

#pragma warning disable IDE1006 // column names
    private sealed class Row
    {
        public string id { get; set; } = "";
        public string type { get; set; } = "";
        public string? session_id { get; set; }
        public string? session_type { get; set; }
        public string connection { get; set; } = "";
        public string requested_by_id { get; set; } = "";
        public string requested_by { get; set; } = "";
        public string input { get; set; } = "";
        public string input_sha256 { get; set; } = "";
        public string? ai_analysis { get; set; }
        public string reviewer_groups { get; set; } = "[]";
        public long min_approvals { get; set; }
        public long review_timeout_seconds { get; set; }
        public string status { get; set; } = "";
        public string? reason { get; set; }
        public long? access_duration_seconds { get; set; }
        public string? access_expires_at { get; set; }
        public string created_at { get; set; } = "";
        public string updated_at { get; set; } = "";
        public string expires_at { get; set; } = "";
        public string? executed_at { get; set; }

        public Review ToReview(IReadOnlyList<ReviewDecision> decisions) => new(
            id, type, session_id, connection, requested_by, input, input_sha256,
            ai_analysis is null ? null : JsonSerializer.Deserialize<AiAnalysis>(ai_analysis, Api.Json),
            JsonSerializer.Deserialize<string[]>(reviewer_groups)!, (int)min_approvals, status, decisions, reason,
            access_duration_seconds is { } seconds ? DurationText.Format(TimeSpan.FromSeconds(seconds)) : null, access_expires_at,
            created_at, updated_at, expires_at, executed_at, null)
        {
            RequestedById = requested_by_id,
            SessionType = session_type,
        };
    }
#pragma warning restore IDE1006
}
