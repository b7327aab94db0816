using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// <see cref="FakeKubernetesExec"/>'s exec over the older SPDY/3.1 upgrade, as the kubelet serves kubectl with
/// <c>KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false</c> (k8s.io/apimachinery httpstream/spdy, remote command v4): a 101 with
/// <c>Upgrade: SPDY/3.1</c> and <c>X-Stream-Protocol-Version: v4.channel.k8s.io</c>; the client opens one stream per
/// channel (SYN_STREAM with <c>streamtype</c> <c>error</c>, <c>stdin</c>, <c>stdout</c>, <c>stderr</c>, <c>resize</c>),
/// each answered with a SYN_REPLY. Once every stream the request asks for is open (<c>stdin</c>, <c>stdout</c>,
/// <c>stderr</c>, and <c>resize</c> for <c>tty</c>) the command runs: <c>ls</c> writes its listing on stdout, <c>sh</c>
/// is a <see cref="FakeShell"/> reading stdin (sizes on resize go to <see cref="FakeKubernetesApi.Resizes"/>); then
/// stdout and stderr are closed (FIN), the <c>Success</c> Status is written on the error stream and it is closed, so
/// kubectl exits 0. PINGs are answered; the connection ends when kubectl closes it.
/// </summary>
internal static class FakeSpdyExec
{
    public static async Task RunAsync(HttpContext http, IHttpUpgradeFeature upgrade, FakeKubernetesApi api)
    {
        http.Response.Headers.Upgrade = "SPDY/3.1";
        http.Response.Headers["X-Stream-Protocol-Version"] = "v4.channel.k8s.io";
        var cancellationToken = http.RequestAborted;
        await using var connection = await upgrade.UpgradeAsync();
        var query = http.Request.Query;
        var expected = new HashSet<string> { "error" };
        expected.UnionWith(new[] { "stdin", "stdout", "stderr" }.Where(channel => query[channel] == "true"));
        if (query["tty"] == "true")
        {
            expected.Add("resize");
        }
        var shell = query["command"].ToArray() is ["sh"] ? new FakeShell() : null;
        var spdy = new SpdyEndpoint();
        var streams = new Dictionary<string, int>();
        var running = false;
        var finished = false;

        async Task SendAsync(byte[] frame)
        {
            await connection.WriteAsync(frame, cancellationToken);
            await connection.FlushAsync(cancellationToken);
        }

        Task OutputAsync(string text) => SendAsync(SpdyEndpoint.Data(streams["stdout"], text));

        async Task FinishAsync()
        {
            foreach (var channel in new[] { "stdout", "stderr" }.Where(streams.ContainsKey))
            {
                await SendAsync(SpdyEndpoint.Data(streams[channel], [], fin: true));
            }
            await SendAsync(SpdyEndpoint.Data(streams["error"], FakeKubernetesExec.Success, fin: true));
            finished = true;
        }

        while (await SpdyEndpoint.ReadAsync(connection, cancellationToken) is { } frame)
        {
            if (frame.Control)
            {
                switch (frame.Type)
                {
                    case SpdyFrame.SynStream:
                        streams[spdy.HeadersOf(frame).GetValueOrDefault("streamtype", "")] = frame.StreamId;
                        await SendAsync(spdy.SynReply(frame.StreamId));
                        if (!running && expected.IsSubsetOf(streams.Keys))
                        {
                            running = true;
                            if (shell is null)
                            {
                                await OutputAsync(FakeKubernetesExec.Listing);
                                await FinishAsync();
                            }
                            else
                            {
                                await OutputAsync(FakeShell.Prompt);
                            }
                        }
                        break;
                    case SpdyFrame.SynReply or SpdyFrame.Headers:
                        // Not used by kubectl, but its block is part of the connection's zlib stream.
                        spdy.HeadersOf(frame);
                        break;
                    case SpdyFrame.Ping:
                        await SendAsync(SpdyEndpoint.Control(SpdyFrame.Ping, 0, frame.Payload));
                        break;
                }
            }
            else if (streams.TryGetValue("resize", out var resize) && frame.StreamId == resize)
            {
                api.Resizes.Enqueue(Encoding.UTF8.GetString(frame.Payload));
            }
            else if (shell is not null && running && !finished && streams.TryGetValue("stdin", out var stdin) && frame.StreamId == stdin)
            {
                foreach (var shown in shell.Type(frame.Payload))
                {
                    await OutputAsync(shown);
                }
                if (shell.Exited)
                {
                    await FinishAsync();
                }
            }
        }
    }
}
