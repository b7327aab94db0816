using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Tests.Support;

/// <summary>Helpers to produce wire bytes with the library's writers and to read them back.</summary>
public static class Wire
{
    public static byte[] Write(params Action<IBufferWriter<byte>>[] writes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var write in writes)
        {
            write(buffer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static ReadOnlySequence<byte> Body(byte[] message) => new(message.AsMemory(MessageReader.HeaderSize));

    public static string Hex(ReadOnlySequence<byte> bytes) => Convert.ToHexString(bytes.ToArray());

    /// <summary>Reads all complete typed messages and renders each one via its body parser.</summary>
    public static List<string> ReadAll(ReadOnlySequence<byte> input, out long consumed)
    {
        var reader = new SequenceReader<byte>(input);
        var result = new List<string>();
        while (MessageReader.TryReadMessage(ref reader, MessageReader.DefaultMaxMessageSize, out var code, out var body))
        {
            result.Add(Render(code, body));
        }

        consumed = reader.Consumed;
        return result;
    }

    public static string Render(byte code, ReadOnlySequence<byte> body) => code switch
    {
        FrontendMessageCode.Query => QueryMessage.Parse(body).ToString(),
        FrontendMessageCode.Parse => ParseMessage.Parse(body).ToString(),
        FrontendMessageCode.Bind => BindMessage.Parse(body).ToString(),
        FrontendMessageCode.Execute => ExecuteMessage.Parse(body).ToString(),
        FrontendMessageCode.Describe => DescribeMessage.Parse(body).ToString(),
        FrontendMessageCode.Close => CloseMessage.Parse(body).ToString(),
        FrontendMessageCode.PasswordMessage => PasswordMessage.Parse(body).Password,
        _ => $"{(char)code}:{Hex(body)}",
    };
}
