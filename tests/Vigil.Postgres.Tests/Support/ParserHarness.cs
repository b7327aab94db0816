using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Tests.Support;

/// <summary>Runs an input through every reader and body parser, letting only non-protocol exceptions escape.</summary>
public static class ParserHarness
{
    private static readonly Action<ReadOnlySequence<byte>>[] BodyParsers =
    [
        b => QueryMessage.Parse(b),
        b => ParseMessage.Parse(b),
        b => BindMessage.Parse(b),
        b => ExecuteMessage.Parse(b),
        b => DescribeMessage.Parse(b),
        b => CloseMessage.Parse(b),
        b => PasswordMessage.Parse(b),
        b => _ = ErrorResponseMessage.Parse(b) is { } e ? e.Severity + e.SqlState + e.Message + e.Detail + e.Hint : null,
        b => _ = CommandCompleteMessage.Parse(b).Rows,
        b => ReadyForQueryMessage.Parse(b),
        b => BackendKeyDataMessage.Parse(b),
        b => ParameterStatusMessage.Parse(b),
        b => AuthenticationMessage.Parse(b).GetMd5Salt(),
        b => AuthenticationMessage.Parse(b).GetSaslMechanisms(),
        b => FunctionCallMessage.Parse(b),
    ];

    /// <summary>The parsers a proxy would apply to a body with this code, in either direction.</summary>
    private static IEnumerable<Action<ReadOnlySequence<byte>>> ParsersFor(byte code) => code switch
    {
        (byte)'Q' => [BodyParsers[0]],
        (byte)'P' => [BodyParsers[1]],
        (byte)'B' => [BodyParsers[2]],
        (byte)'E' => [BodyParsers[3], BodyParsers[7]],
        (byte)'D' => [BodyParsers[4]],
        (byte)'C' => [BodyParsers[5], BodyParsers[8]],
        (byte)'p' => [BodyParsers[6]],
        (byte)'N' => [BodyParsers[7]],
        (byte)'Z' => [BodyParsers[9]],
        (byte)'K' => [BodyParsers[10]],
        (byte)'S' => [BodyParsers[11]],
        (byte)'R' => [BodyParsers[12], BodyParsers[13]],
        (byte)'F' => [BodyParsers[14]],
        _ => [],
    };

    public static int Run(ReadOnlySequence<byte> input)
    {
        var accepted = 0;
        accepted += Guard(() => ReadStartupThenMessages(input));
        accepted += Guard(() => ReadMessages(input));
        // Also feed the bytes after a (possibly corrupted) header straight to every body parser, so bodies
        // whose length field was mutated still reach the parsers.
        var afterHeader = input.Slice(Math.Min(input.Length, MessageReader.HeaderSize));
        foreach (var parse in BodyParsers)
        {
            accepted += Guard(() => parse(afterHeader));
        }

        return accepted;
    }

    private static int Guard(Action action)
    {
        try
        {
            action();
            return 1;
        }
        catch (PostgresProtocolException)
        {
            return 0;
        }
    }

    private static void ReadStartupThenMessages(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        if (MessageReader.TryReadStartup(ref reader, MessageReader.DefaultMaxMessageSize, out var request))
        {
            if (request is StartupMessage s)
            {
                _ = s.User + s.Database + s.UnrecognizedOptions.Count;
            }

            ReadMessages(reader.UnreadSequence);
        }
    }

    private static void ReadMessages(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        if (MessageReader.TryReadHeader(ref reader, 1 << 20, out var header))
        {
            _ = header.BodyLength;
        }

        reader = new SequenceReader<byte>(input);
        while (MessageReader.TryReadMessage(ref reader, 1 << 20, out var code, out var body))
        {
            foreach (var parse in ParsersFor(code))
            {
                Guard(() => parse(body));
            }

            _ = FrontendMessageCode.IsKnown(code);
        }
    }
}
