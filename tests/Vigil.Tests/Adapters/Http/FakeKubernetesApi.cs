using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// A local server that speaks the Kubernetes API's wire format (JSON, core group v1) well enough for the real kubectl:
/// discovery (<c>/version</c>, <c>/api</c>, <c>/apis</c>, <c>/api/v1</c>), pods (list as a PodList or, when kubectl asks
/// <c>as=Table</c>, a meta.k8s.io/v1 Table; get; watch as a chunked stream of watch events; log, followed), namespaces
/// (get, delete), secrets (get), replication controllers (get; scale by merge patch), pod exec over WebSocket v5/v4 and
/// the SPDY upgrade (<see cref="FakeKubernetesExec"/>), and a Status object for anything else. It checks the bearer token the connection injects and
/// remembers every request (method, path and query) it received.
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    public const string ClusterToken = "cluster-sa-token-7f3e21";

    private readonly WebApplication _app;
    private readonly TaskCompletionSource _nextWatchEvent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _nextLogLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The resize messages exec sessions received (channel 4, or the SPDY resize stream), as sent (<c>{"Width":…,"Height":…}</c>).</summary>
    public ConcurrentQueue<string> Resizes { get; } = new();

    /// <summary>How each exec stream was carried: <c>websocket</c> or <c>SPDY/3.1</c>.</summary>
    public ConcurrentQueue<string> ExecTransports { get; } = new();

    public string Url { get; }

    private FakeKubernetesApi(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var app = LoopbackServer.Create();
        app.UseWebSockets();
        FakeKubernetesApi? self = null;
        app.Use(async (http, next) =>
        {
            self!.Requests.Enqueue($"{http.Request.Method} {http.Request.Path}{http.Request.QueryString}");
            if (http.Request.Headers.Authorization.ToString() != "Bearer " + ClusterToken)
            {
                await StatusAsync(http, 401, "Unauthorized", "Unauthorized");
                return;
            }
            await next(http);
        });
        app.MapGet("/version", () => Results.Json(new { major = "1", minor = "32", gitVersion = "v1.32.0", platform = "linux/amd64" }));
        app.MapGet("/api", () => Results.Json(new { kind = "APIVersions", versions = new[] { "v1" }, serverAddressByClientCIDRs = new[] { new { clientCIDR = "0.0.0.0/0", serverAddress = "127.0.0.1:6443" } } }));
        app.MapGet("/apis", () => Results.Json(new { kind = "APIGroupList", apiVersion = "v1", groups = Array.Empty<object>() }));
        app.MapGet("/api/v1", () => Results.Json(new
        {
            kind = "APIResourceList", groupVersion = "v1",
            resources = new object[]
            {
                Resource("pods", "pod", "Pod", true, "po"),
                Resource("namespaces", "namespace", "Namespace", false, "ns"),
                Resource("secrets", "secret", "Secret", true, null),
                new { name = "pods/log", singularName = "", namespaced = true, kind = "Pod", verbs = new[] { "get" } },
                Resource("replicationcontrollers", "replicationcontroller", "ReplicationController", true, "rc"),
                new { name = "replicationcontrollers/scale", singularName = "", namespaced = true, group = "autoscaling", version = "v1", kind = "Scale", verbs = new[] { "get", "patch", "update" } },
            },
        }));
        app.MapGet("/api/v1/namespaces/{ns}/pods", async (HttpContext http, string ns) =>
        {
            if (http.Request.Query["watch"] is ["true" or "1"])
            {
                await self!.WatchAsync(http, ns);
                return;
            }
            if (http.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal))
            {
                await http.Response.WriteAsJsonAsync(PodTable(ns, "web-1"));
                return;
            }
            await http.Response.WriteAsJsonAsync(new { kind = "PodList", apiVersion = "v1", metadata = new { resourceVersion = "100" }, items = new[] { Pod(ns, "web-1") } });
        });
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", (string ns, string name) => Results.Json(Pod(ns, name)));
        app.MapGet("/api/v1/namespaces/{name}", (string name) => Results.Json(Namespace(name, "Active")));
        app.MapDelete("/api/v1/namespaces/{name}", (string name) => Results.Json(Namespace(name, "Terminating")));
        app.MapGet("/api/v1/namespaces/{ns}/secrets/{name}", (string ns, string name) => Results.Json(new
        {
            kind = "Secret", apiVersion = "v1", metadata = new { name, @namespace = ns, resourceVersion = "7" }, type = "Opaque",
            data = new { password = Convert.ToBase64String("hunter2-db-password"u8.ToArray()) },
        }));
        FakeKubernetesExec.Map(app, () => self!);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", (HttpContext http, string name) => self!.LogAsync(http, name));
        app.MapGet("/api/v1/namespaces/{ns}/replicationcontrollers/{name}", (string ns, string name) => Results.Json(ReplicationController(ns, name, 3)));
        app.MapPatch("/api/v1/namespaces/{ns}/replicationcontrollers/{name}/scale", async (HttpContext http, string ns, string name) =>
        {
            var patch = JsonDocument.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync());
            var replicas = patch.RootElement.GetProperty("spec").GetProperty("replicas").GetInt32();
            return Results.Json(new
            {
                kind = "Scale", apiVersion = "autoscaling/v1", metadata = new { name, @namespace = ns, resourceVersion = "12" },
                spec = new { replicas }, status = new { replicas = 3 },
            });
        });
        app.MapFallback((HttpContext http) => StatusAsync(http, 404, "NotFound", $"the server could not find the requested resource ({http.Request.Path})"));
        await app.StartAsync();
        self = new FakeKubernetesApi(app, LoopbackServer.Address(app));
        return self;
    }

    /// <summary>Lets a followed log (<c>kubectl logs -f</c>) write its second line.</summary>
    public void SendNextLogLine() => _nextLogLine.TrySetResult();

    /// <summary>Lets a running watch send its second event.</summary>
    public void SendNextWatchEvent() => _nextWatchEvent.TrySetResult();

    /// <summary>Registers a <c>kubernetes</c> connection to this server with <see cref="ClusterToken"/>; returns its name.</summary>
    public async Task<string> RegisterAsync(GatewayFixture gateway)
    {
        var name = Identities.Unique("kube");
        var response = await gateway.Http.PostAsJsonAsync("/api/connections", new { name, type = "kubernetes", url = Url, token = ClusterToken });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
        }
        return name;
    }

    /// <summary>A watch: ADDED web-2 at once, ADDED web-3 when <see cref="SendNextWatchEvent"/> is called, then the stream ends.</summary>
    private async Task WatchAsync(HttpContext http, string ns)
    {
        http.Response.ContentType = "application/json";
        await WriteEventAsync(http, "ADDED", Pod(ns, "web-2"));
        await _nextWatchEvent.Task.WaitAsync(TimeSpan.FromSeconds(30), http.RequestAborted);
        await WriteEventAsync(http, "ADDED", Pod(ns, "web-3"));
    }

    /// <summary>A pod's log: "started NAME" at once; with <c>follow=true</c>, "ready NAME" when <see cref="SendNextLogLine"/> is called.</summary>
    private async Task LogAsync(HttpContext http, string name)
    {
        http.Response.ContentType = "text/plain";
        await http.Response.WriteAsync($"started {name}\n");
        await http.Response.Body.FlushAsync();
        if (http.Request.Query["follow"] == "true")
        {
            await _nextLogLine.Task.WaitAsync(TimeSpan.FromSeconds(30), http.RequestAborted);
            await http.Response.WriteAsync($"ready {name}\n");
        }
    }

    private static object ReplicationController(string ns, string name, int replicas) => new
    {
        kind = "ReplicationController", apiVersion = "v1", metadata = new { name, @namespace = ns, resourceVersion = "11", uid = "rc-" + name },
        spec = new { replicas, selector = new { app = name } }, status = new { replicas },
    };

    private static async Task WriteEventAsync(HttpContext http, string type, object item)
    {
        await http.Response.WriteAsync(JsonSerializer.Serialize(new { type, @object = item }) + "\n");
        await http.Response.Body.FlushAsync();
    }

    private static object Resource(string name, string singular, string kind, bool namespaced, string? shortName) => new
    {
        name, singularName = singular, namespaced, kind,
        verbs = new[] { "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch" },
        shortNames = shortName is null ? Array.Empty<string>() : [shortName],
    };

    private static object Pod(string ns, string name) => new
    {
        kind = "Pod", apiVersion = "v1",
        metadata = new { name, @namespace = ns, uid = Guid.NewGuid().ToString(), resourceVersion = "100", creationTimestamp = "2026-01-01T00:00:00Z" },
        spec = new { containers = new[] { new { name = "app", image = "nginx:1.27" } } },
        status = new { phase = "Running" },
    };

    private static object PodTable(string ns, string name) => new
    {
        kind = "Table", apiVersion = "meta.k8s.io/v1", metadata = new { resourceVersion = "100" },
        columnDefinitions = new[]
        {
            new { name = "Name", type = "string", format = "name", description = "Name", priority = 0 },
            new { name = "Status", type = "string", format = "", description = "Phase", priority = 0 },
        },
        rows = new[]
        {
            new
            {
                cells = new object[] { name, "Running" },
                @object = new { kind = "PartialObjectMetadata", apiVersion = "meta.k8s.io/v1", metadata = new { name, @namespace = ns, creationTimestamp = "2026-01-01T00:00:00Z" } },
            },
        },
    };

    private static object Namespace(string name, string phase) => new
    {
        kind = "Namespace", apiVersion = "v1", metadata = new { name, resourceVersion = "5" }, status = new { phase },
    };

    private static Task StatusAsync(HttpContext http, int code, string reason, string message)
    {
        http.Response.StatusCode = code;
        return http.Response.WriteAsJsonAsync(new { kind = "Status", apiVersion = "v1", metadata = new { }, status = "Failure", message, reason, code });
    }

    public async ValueTask DisposeAsync()
    {
        SendNextWatchEvent();
        SendNextLogLine();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
