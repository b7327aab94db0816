using Vigil.Pipeline;
using Vigil.Sessions;
using Vigil.Webhooks;

namespace Vigil.Masking;

/// <summary>
/// The pipeline's masking stage (after output guardrails, before recording): rewrites every result value a rule of
/// the command's connection covers — a column rule's column whole, otherwise the entities the recognizers find — and
/// the human-readable fields of notices and errors, so neither the client nor the recording sees them. When a result
/// masked anything, the session's <c>masking_info</c> grows by its counts and <c>alert.data_masked</c> is published
/// (<c>{session_id, connection, user, masking_info}</c>; counts, never values).
/// </summary>
public sealed class MaskingStage(MaskingSet rules, SessionRecorder recorder, IEventPublisher events) : IResultStage
{
    /// <inheritdoc />
    public int Order => ResultStageOrder.Masking;

    /// <inheritdoc />
    public IResultFilter? Open(Command command) =>
        rules.ForConnection(command.Session.Connection.Name) is { } masker ? new Filter(masker, command.Session, recorder, events) : null;

    /// <summary>The data of an <c>alert.data_masked</c> event: what one result had masked, by entity type.</summary>
    public sealed record DataMaskedData(string SessionId, string Connection, string User, IReadOnlyDictionary<string, long> MaskingInfo);

    private sealed class Filter(ConnectionMasker masker, SessionContext session, SessionRecorder recorder, IEventPublisher events) : IResultFilter
    {
        private readonly MaskingTally _tally = new();
        private ColumnMask?[] _columns = [];

        public bool NeedsTables => masker.HasColumnRules;

        public void OnColumns(IReadOnlyList<ResultColumn> columns) =>
            _columns = masker.HasColumnRules ? columns.Select(c => masker.ForColumn(c.Table, c.Name)).ToArray() : [];

        public ResultAction OnRow(ResultRow row)
        {
            for (var i = 0; i < row.Count; i++)
            {
                if (row.IsOpaque(i) || row[i] is not { } value)
                {
                    continue;
                }
                var column = row.ColumnOf(i);
                if (column < _columns.Length && _columns[column] is { } mask)
                {
                    row.Replace(i, masker.MaskColumn(mask, value, _tally));
                }
                else if (masker.Mask(value, _tally) is var masked && !ReferenceEquals(masked, value))
                {
                    row.Replace(i, masked);
                }
            }
            return ResultAction.Continue;
        }

        public ResultAction OnText(ResultText text)
        {
            text.Text = masker.Mask(text.Text, _tally);
            return ResultAction.Continue;
        }

        public void OnNotice(ResultNotice notice)
        {
            notice.Message = masker.Mask(notice.Message, _tally);
            notice.Detail = notice.Detail is null ? null : masker.Mask(notice.Detail, _tally);
            notice.Hint = notice.Hint is null ? null : masker.Mask(notice.Hint, _tally);
        }

        public void OnComplete()
        {
            if (_tally.Total == 0)
            {
                return;
            }
            recorder.Append(new SessionMaskingChange(session.Id, session.AddMasked(_tally.Counts)));
            events.Publish(GatewayEventTypes.DataMasked, new DataMaskedData(session.Id, session.Connection.Name, session.Identity.Name, new Dictionary<string, long>(_tally.Counts)));
        }
    }
}
