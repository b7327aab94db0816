using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vigil.Hosting;
using Vigil.Pipeline;
using Vigil.Storage;

namespace Vigil.Sessions;

/// <summary>
/// Writes recorder items; the event insert is prepared once and reused for every batch. Sessions are written as owned by
/// gateway instance <paramref name="gatewayId"/> (see <see cref="SessionRecovery"/>); event text goes through
/// <see cref="StatementRedaction"/>. An event's result and notices are stored as JSON in the API's shape (their values
/// were masked before they got here); a session's masking counts replace the previous ones; guardrail violations are
/// appended, one row each.
/// </summary>
internal sealed class RecordWriter(SqliteConnection db, string gatewayId)
{
    private SqliteTransaction? _transaction;
    private SqliteCommand? _insertEvent;

    /// <summary>Makes the following writes part of <paramref name="transaction"/>.</summary>
    public void Begin(SqliteTransaction? transaction)
    {
        _transaction = transaction;
        if (_insertEvent is not null)
        {
            _insertEvent.Transaction = transaction;
        }
    }

    public void Write(object item)
    {
        switch (item)
        {
            case SessionEvent e:
                WriteEvent(e);
                break;
            case IRecordItem own:
                own.Write(db, _transaction);
                break;
            case SessionContext s:
                Execute(
                    """
                    INSERT INTO sessions (id, type, connection, connection_type, user_id, user_name, client_user, client_address, client_name, client_version, tool, status, started_at, gateway_id)
                    VALUES ($id, $type, $connection, $connection_type, $user_id, $user_name, $client_user, $client_address, $client_name, $client_version, $tool, 'open', $started_at, $gateway_id)
                    """,
                    ("$id", s.Id), ("$type", s.Type.Name()), ("$connection", s.Connection.Name),
                    ("$connection_type", s.Connection.Type), ("$user_id", s.Identity.UserId), ("$user_name", s.Identity.Name),
                    ("$client_user", s.ClientUser), ("$client_address", s.ClientAddress),
                    ("$client_name", s.Client?.Name), ("$client_version", s.Client?.Version), ("$tool", s.Client?.Tool), ("$started_at", Rfc3339.Format(s.StartedAt)),
                    ("$gateway_id", gatewayId));
                break;
            case SessionAnalysisChange a:
                Execute(
                    "UPDATE sessions SET ai_analysis=$analysis, risk_level=$risk_level WHERE id=$id",
                    ("$id", a.SessionId), ("$analysis", JsonSerializer.Serialize(StatementRedaction.Redact(a.Analysis), Api.Json)), ("$risk_level", a.Analysis.RiskLevel));
                break;
            case SessionMaskingChange m:
                Execute(
                    "UPDATE sessions SET masking_info=$masking_info WHERE id=$id",
                    ("$id", m.SessionId), ("$masking_info", JsonSerializer.Serialize(m.Counts, Api.Json)));
                break;
            case SessionGuardrailViolation g:
                Execute(
                    "INSERT INTO session_guardrails (session_id, rule, direction, matched) VALUES ($id, $rule, $direction, $matched)",
                    ("$id", g.SessionId), ("$rule", g.Info.Rule), ("$direction", g.Info.Direction),
                    ("$matched", RecordedText.Cap(g.Info.Matched, GuardrailInfo.MaxMatchedLength).Text));
                break;
            case SessionReopen r:
                Execute(
                    "UPDATE sessions SET status='open', exit_code=NULL, reason=NULL, ended_at=NULL, gateway_id=$gateway_id WHERE id=$id",
                    ("$id", r.SessionId), ("$gateway_id", gatewayId));
                break;
            case SessionClose c:
                Execute(
                    "UPDATE sessions SET status=$status, exit_code=$exit_code, reason=$reason, ended_at=$ended_at WHERE id=$id",
                    ("$id", c.SessionId), ("$status", c.Status), ("$exit_code", c.ExitCode), ("$reason", c.Reason),
                    ("$ended_at", Rfc3339.Format(c.EndedAt)));
                break;
        }
    }

    /// <summary>Adds <paramref name="count"/> items that could not be written to the session's <c>events_lost</c>.</summary>
    public void MarkLost(string sessionId, int count) =>
        Execute(
            "UPDATE sessions SET events_lost = events_lost + $count WHERE id=$id", ("$id", sessionId), ("$count", count));

    private void WriteEvent(SessionEvent e)
    {
        if (_insertEvent is null)
        {
            _insertEvent = db.CreateCommand();
            _insertEvent.Transaction = _transaction;
            _insertEvent.CommandText =
                """
                INSERT INTO session_events (session_id, seq, at, kind, text, parameter_count, duration_us, command_tag, rows, sqlstate, message, ai_analysis, text_length, text_sha256, result, notices)
                VALUES ($s, $q, $at, $k, $t, $p, $d, $c, $r, $st, $m, $a, $tl, $th, $res, $n)
                """;
            foreach (var name in new[] { "$s", "$q", "$at", "$k", "$t", "$p", "$d", "$c", "$r", "$st", "$m", "$a", "$tl", "$th", "$res", "$n" })
            {
                _insertEvent.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
            _insertEvent.Prepare();
        }
        var p = _insertEvent.Parameters;
        p[0].Value = e.SessionId;
        p[1].Value = e.Seq;
        p[2].Value = Rfc3339.Format(e.At);
        p[3].Value = e.Kind;
        p[4].Value = (object?)(e.Kind == SessionEventKind.Output ? e.Text : StatementRedaction.Redact(e.Text)) ?? DBNull.Value;
        p[5].Value = (object?)e.ParameterCount ?? DBNull.Value;
        p[6].Value = (object?)e.DurationUs ?? DBNull.Value;
        p[7].Value = (object?)e.CommandTag ?? DBNull.Value;
        p[8].Value = (object?)e.Rows ?? DBNull.Value;
        p[9].Value = (object?)e.SqlState ?? DBNull.Value;
        p[10].Value = (object?)e.Message ?? DBNull.Value;
        p[11].Value = e.Analysis is null ? DBNull.Value : JsonSerializer.Serialize(StatementRedaction.Redact(e.Analysis), Api.Json);
        p[12].Value = (object?)e.TextLength ?? DBNull.Value;
        p[13].Value = (object?)e.TextSha256 ?? DBNull.Value;
        p[14].Value = e.Result is null ? DBNull.Value : JsonSerializer.Serialize(e.Result, Api.Json);
        p[15].Value = e.Notices is not { Count: > 0 } ? DBNull.Value : JsonSerializer.Serialize(e.Notices, Api.Json);
        _insertEvent.ExecuteNonQuery();
    }

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = db.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        command.ExecuteNonQuery();
    }
}
