using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Vigil.Analysis;
using Vigil.Hosting;
using Vigil.Pipeline;
using Vigil.Storage;

namespace Vigil.Reviews;

/// <summary>Review statuses.</summary>
public static class ReviewStatus
{
    /// <summary>Waiting for a decision.</summary>
    public const string Pending = "pending";
}

/// <summary>A review as the session shows it: <c>{id, status}</c>.</summary>
public sealed record ReviewRef(string Id, string Status);

/// <summary>
/// Reviews opened by a <c>require_approval</c> verdict: the exact input (and its SHA-256, which a later approval is
/// bound to), who asked, on which connection, and the analysis a reviewer reads.
/// </summary>
public sealed class ReviewRepository(SqliteStore store, TimeProvider time)
{
    /// <summary>Opens a pending review of <paramref name="input"/> sent in <paramref name="session"/>; returns it.</summary>
    public async Task<ReviewRef> CreateAsync(SessionContext session, string input, AiAnalysis analysis, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString();
        var now = Rfc3339.Format(time.GetUtcNow());
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO reviews (id, session_id, connection, requested_by_id, requested_by, input, input_sha256, ai_analysis, status, created_at, updated_at)
            VALUES (@id, @session, @connection, @userId, @user, @input, @sha, @analysis, @status, @now, @now)
            """,
            new
            {
                id, session = session.Id, connection = session.Connection.Name, userId = session.Identity.UserId, user = session.Identity.Name, input,
                sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input))),
                analysis = JsonSerializer.Serialize(analysis, Api.Json), status = ReviewStatus.Pending, now,
            },
            cancellationToken: cancellationToken));
        return new ReviewRef(id, ReviewStatus.Pending);
    }
}
