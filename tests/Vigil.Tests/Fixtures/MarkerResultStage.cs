using Vigil.Pipeline;

namespace Vigil.Tests.Fixtures;

/// <summary>
/// A real result stage plugged into the gateway's pipeline (<see cref="GatewayFixture"/>), for commands that contain
/// <see cref="Prefix"/> only: it masks <see cref="Mask"/> in values and notices as <c>&lt;MASKED&gt;</c>, stops a result
/// at a value containing <see cref="Stop"/>, and replaces a <see cref="TableProbe"/> value with the table of the
/// result's first column, so tests can see what the stages were handed.
/// </summary>
public sealed class MarkerResultStage : IResultStage
{
    public const string Prefix = "vigil-result-";
    public const string Mask = Prefix + "mask";
    public const string Stop = Prefix + "stop";
    public const string TableProbe = Prefix + "table";
    public const string Masked = "<MASKED>";
    public const string StopReason = "stopped by the test guardrail";

    public int Order => ResultStageOrder.Masking;

    public IResultFilter? Open(Command command) => command.Input.Contains(Prefix, StringComparison.Ordinal) ? new Filter() : null;

    private sealed class Filter : IResultFilter
    {
        private IReadOnlyList<ResultColumn> _columns = [];

        public bool NeedsTables => true;

        public void OnColumns(IReadOnlyList<ResultColumn> columns) => _columns = columns;

        public ResultAction OnRow(ResultRow row)
        {
            for (var i = 0; i < row.Count; i++)
            {
                switch (row[i])
                {
                    case { } value when value.Contains(Stop, StringComparison.Ordinal):
                        return ResultAction.Stop(StopReason);
                    case { } value when value.Contains(Mask, StringComparison.Ordinal):
                        row.Replace(i, value.Replace(Mask, Masked, StringComparison.Ordinal));
                        break;
                    case TableProbe:
                        row.Replace(i, _columns[0].Table ?? "no table");
                        break;
                }
            }
            return ResultAction.Continue;
        }

        public ResultAction OnText(ResultText text)
        {
            text.Text = text.Text.Replace(Mask, Masked, StringComparison.Ordinal);
            return text.Text.Contains(Stop, StringComparison.Ordinal) ? ResultAction.Stop(StopReason) : ResultAction.Continue;
        }

        public void OnNotice(ResultNotice notice)
        {
            notice.Message = notice.Message.Replace(Mask, Masked, StringComparison.Ordinal);
            notice.Detail = notice.Detail?.Replace(Mask, Masked, StringComparison.Ordinal);
        }
    }
}
