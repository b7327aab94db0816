using System.Linq.Expressions;
using System.Reflection;
using Renci.SshNet;

namespace Vigil.Adapters.Ssh.Upstream;

/// <summary>
/// The two things the gateway needs from an <see cref="SshCommand"/> that SSH.NET keeps internal, reached by reflection
/// on its private <c>_channel</c>: sending EOF on a command's stdin, and seeing each channel data message as it is
/// buffered. SSH.NET is pinned (Directory.Packages.props); a version that moves these fails loudly here, and the exec
/// tests (<c>cat</c> reading stdin, a slow reader of a large output) catch a change in behaviour.
/// </summary>
internal static class SshNetInternals
{
    private static readonly FieldInfo ChannelField = typeof(SshCommand).GetField("_channel", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException("SSH.NET's SshCommand has no _channel: update SshNetInternals for this version");

    /// <summary>
    /// Sends EOF on the command's channel (RFC 4254 §5.3). SSH.NET sends it only when an input stream that was written to
    /// is disposed, and never for a command whose stdin is unused, which would then wait forever.
    /// </summary>
    public static void SendEof(SshCommand command)
    {
        var channel = Channel(command);
        var sendEof = channel.GetType().GetMethod("SendEof", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes)
            ?? throw new InvalidOperationException("SSH.NET's channel has no SendEof: update SshNetInternals for this version");
        sendEof.Invoke(channel, null);
    }

    /// <summary>
    /// Calls <paramref name="stdout"/> with the length of each channel data message (RFC 4254 §5.2) and
    /// <paramref name="stderr"/> with that of each extended data message, on SSH.NET's listener thread, after
    /// <paramref name="command"/> (already started) has buffered it.
    /// </summary>
    public static void OnData(SshCommand command, Action<int> stdout, Action<int> stderr)
    {
        var channel = Channel(command);
        Subscribe(channel, "DataReceived", stdout);
        Subscribe(channel, "ExtendedDataReceived", stderr);
    }

    private static object Channel(SshCommand command) =>
        ChannelField.GetValue(command) ?? throw new InvalidOperationException("the SSH.NET command has not opened its channel");

    private static void Subscribe(object channel, string eventName, Action<int> onLength)
    {
        var @event = channel.GetType().GetEvent(eventName, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"SSH.NET's channel has no {eventName} event: update SshNetInternals for this version");
        var handlerType = @event.EventHandlerType!;
        var argsType = handlerType.GetGenericArguments().Single();
        // (sender, e) => onLength(e.Data.Count), compiled once per event: the args type is internal; Data is an ArraySegment<byte>.
        var sender = Expression.Parameter(typeof(object), "sender");
        var args = Expression.Parameter(argsType, "e");
        var length = Expression.Property(Expression.Property(args, "Data"), nameof(ArraySegment<byte>.Count));
        var body = Expression.Invoke(Expression.Constant(onLength), length);
        @event.AddEventHandler(channel, Expression.Lambda(handlerType, body, sender, args).Compile());
    }
}
