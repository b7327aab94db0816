using Vigil.Masking;
using Vigil.Pipeline;
using Vigil.Sessions;
using Vigil.Webhooks;

namespace Vigil.Guardrails;

/// <summary>
/// Records and publishes guardrail violations: <c>guardrails_info</c> on the session and <c>guardrail.violation</c>.
/// The matched text is masked by the connection's masking rules; what an output rule matched is data the rule exists to
/// keep from being seen (a key, a token), so only its first <see cref="OutputPreviewChars"/> characters and its length
/// are kept.
/// </summary>
public sealed class GuardrailViolations(MaskingSet masking, SessionRecorder recorder, IEventPublisher events)
{
    /// <summary>Characters of an output match kept in the record.</summary>
    public const int OutputPreviewChars = 4;

    /// <summary>Records <paramref name="violation"/> in <paramref name="session"/>.</summary>
    public void Record(SessionContext session, GuardrailViolation violation)
    {
        var matched = masking.ForConnection(session.Connection.Name) is { } masker ? masker.Mask(violation.Matched, null) : violation.Matched;
        if (violation.Direction == GuardrailDirection.Output && matched.Length > OutputPreviewChars)
        {
            matched = $"{matched[..OutputPreviewChars]}… ({matched.Length} characters)";
        }
        recorder.Append(new SessionGuardrailViolation(session.Id, new GuardrailInfo($"{violation.Guardrail}/{violation.Rule}", violation.Direction, matched)));
        events.Publish(GatewayEventTypes.GuardrailViolation, GuardrailViolationEvent.From(violation, session.Id, session.Connection.Name, session.Identity.Name, matched));
    }
}

/// <summary>
/// Guardrails on input, the pipeline's first stage: a command matching an input rule of a guardrail on its connection
/// is refused (natively 42501 <c>vigil: blocked by guardrail NAME: MESSAGE</c>; exec <c>blocked</c>, exit 2).
/// </summary>
public sealed class GuardrailInputStage(GuardrailSet guardrails, GuardrailViolations violations) : IInputStage
{
    /// <inheritdoc />
    public ValueTask<Decision> CheckAsync(Command command, CancellationToken cancellationToken)
    {
        var session = command.Session;
        if (guardrails.ForConnection(session.Connection.Name) is not { HasInputRules: true } checker
            || checker.CheckInput(command.Type, command.Input, session.ServerParameters.LexerOptions) is not { } violation)
        {
            return ValueTask.FromResult(Decision.Allow);
        }
        violations.Record(session, violation);
        return ValueTask.FromResult(Decision.Block(violation.RefusalMessage));
    }
}

/// <summary>
/// Guardrails on output, the first result stage: every value, row and chunk of a result is scanned by the output
/// rules of the connection's guardrails (a match spanning two chunks included); the first match stops the result, and
/// nothing past it reaches the client.
/// </summary>
public sealed class GuardrailOutputStage(GuardrailSet guardrails, GuardrailViolations violations) : IResultStage
{
    /// <inheritdoc />
    public int Order => ResultStageOrder.OutputGuardrails;

    /// <inheritdoc />
    public IResultFilter? Open(Command command) =>
        guardrails.ForConnection(command.Session.Connection.Name)?.CreateOutputScanner() is { } scanner ? new Filter(scanner, command.Session, violations) : null;

    private sealed class Filter(GuardrailOutputScanner scanner, SessionContext session, GuardrailViolations violations) : IResultFilter
    {
        private bool _stopped;

        public void OnColumns(IReadOnlyList<ResultColumn> columns)
        {
        }

        public ResultAction OnRow(ResultRow row)
        {
            for (var i = 0; i < row.Count; i++)
            {
                if (!row.IsOpaque(i) && row[i] is { } value && scanner.ScanValue(value) is { } violation)
                {
                    return Stop(violation);
                }
            }
            return ResultAction.Continue;
        }

        public ResultAction OnText(ResultText text) =>
            scanner.ScanChunk(text.Text) is { } violation ? Stop(violation) : ResultAction.Continue;

        public void OnNotice(ResultNotice notice)
        {
        }

        public void OnComplete()
        {
            if (!_stopped && scanner.Complete() is { } violation)
            {
                // Found only once the stream ended (a pattern needing what follows): too late to stop, still recorded.
                violations.Record(session, violation);
            }
        }

        private ResultAction Stop(GuardrailViolation violation)
        {
            _stopped = true;
            violations.Record(session, violation);
            return ResultAction.Stop(violation.RefusalMessage);
        }
    }
}
