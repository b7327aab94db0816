using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Tests.Support;

/// <summary>Valid wire messages used by the prefix, split and fuzz tests.</summary>
public static class Corpus
{
    public static readonly Action<IBufferWriter<byte>>[] FrontendWrites =
    [
        w => FrontendMessageWriter.WriteQuery(w, "SELECT 1; SELECT 'é'"),
        w => FrontendMessageWriter.WriteParse(w, "s1", "SELECT $1::int, $2", [23, 0]),
        w => FrontendMessageWriter.WriteBind(w, "p1", "s1", ["42", null]),
        w => FrontendMessageWriter.WriteExecute(w, "p1", 10),
        w => FrontendMessageWriter.WriteDescribe(w, TargetKind.Portal, "p1"),
        w => FrontendMessageWriter.WriteSync(w),
        w => FrontendMessageWriter.WriteClose(w, TargetKind.Statement, "s1"),
        w => FrontendMessageWriter.WriteCopyData(w, "1\tfoo\n"u8),
        w => FrontendMessageWriter.WriteCopyDone(w),
        w => FrontendMessageWriter.WriteTerminate(w),
    ];

    public static readonly string[] ExpectedFrontend =
    [
        "QueryMessage { Sql = SELECT 1; SELECT 'é' }",
        "ParseMessage { StatementName = s1, Sql = SELECT $1::int, $2, ParameterTypeCount = 2 }",
        "BindMessage { PortalName = p1, StatementName = s1, ParameterCount = 2 }",
        "ExecuteMessage { PortalName = p1, MaxRows = 10 }",
        "DescribeMessage { Kind = 80, Name = p1 }",
        "S:",
        "CloseMessage { Kind = 83, Name = s1 }",
        "d:3109666F6F0A",
        "c:",
        "X:",
    ];

    public static byte[] FrontendStream() => Wire.Write(FrontendWrites);

    public static byte[] Startup() => Wire.Write(w => FrontendMessageWriter.WriteStartupMessage(
        w,
        new Dictionary<string, string> { ["user"] = "alice", ["database"] = "app", ["_pq_.x"] = "1" }));

    public static byte[][] StartupPackets() =>
    [
        Startup(),
        Wire.Write(FrontendMessageWriter.WriteSslRequest),
        Wire.Write(FrontendMessageWriter.WriteGssEncRequest),
        Wire.Write(w => FrontendMessageWriter.WriteCancelRequest(w, 1234, -5678)),
    ];

    public static byte[][] BackendMessages() =>
    [
        Wire.Write(w => BackendMessageWriter.WriteErrorResponse(w, "FATAL", "28P01", "bad password", "d", "h")),
        Wire.Write(w => BackendMessageWriter.WriteCommandComplete(w, "INSERT 0 3")),
        Wire.Write(w => BackendMessageWriter.WriteReadyForQuery(w, TransactionStatus.Idle)),
        Wire.Write(w => BackendMessageWriter.WriteAuthenticationMD5Password(w, [1, 2, 3, 4])),
        Wire.Write(w => BackendMessageWriter.WriteAuthenticationSasl(w, ["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"])),
        Wire.Write(w => BackendMessageWriter.WriteBackendKeyData(w, 7, 8)),
        Wire.Write(w => BackendMessageWriter.WriteParameterStatus(w, "server_version", "17.0")),
        .. ResultMessages(),
    ];

    /// <summary>Result messages captured from a real PostgreSQL (see <see cref="Results.Captured"/>).</summary>
    public static byte[][] ResultMessages() =>
        new[]
        {
            Results.Captured.BinaryRowDescription, Results.Captured.BinaryDataRow, Results.Captured.BinaryArraysRowDescription,
            Results.Captured.BinaryArraysDataRow, Results.Captured.TableRowDescription, Results.Captured.UniqueViolation,
            Results.Captured.Notice, Results.Captured.CopyOutResponse, Results.Captured.CopyText[0], Results.Captured.CopyCsv[0],
        }.Select(Convert.FromHexString).ToArray();

    /// <summary>Every message as its own byte array, frontend and backend.</summary>
    public static byte[][] AllSingleMessages() =>
        FrontendWrites.Select(write => Wire.Write(write))
            .Concat(BackendMessages())
            .Append(Wire.Write(w => FrontendMessageWriter.WritePasswordMessage(w, "hunter2")))
            .ToArray();
}
