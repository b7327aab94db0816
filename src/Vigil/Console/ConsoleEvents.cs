using System.Threading.Channels;
using Vigil.Webhooks;

namespace Vigil.WebConsole;

/// <summary>
/// What the console's live pages listen to: a topic name per kind of change (<see cref="Sessions"/>,
/// <see cref="Reviews"/>), never the changed data itself, so a subscriber learns nothing it could not see by reloading
/// its page (which applies its visibility rules). Each subscriber has a small queue; a slow one loses only
/// duplicates, since a topic means "reload" however often it is sent.
/// </summary>
public sealed class ConsoleEvents
{
    /// <summary>A session opened, changed status or closed.</summary>
    public const string Sessions = "sessions";

    /// <summary>An event (a statement, a command's output) was recorded in some session's timeline.</summary>
    public const string Timeline = "timeline";

    /// <summary>A review was created or decided, or expired.</summary>
    public const string Reviews = "reviews";

    private readonly Lock _lock = new();
    private readonly List<Channel<string>> _subscribers = [];

    /// <summary>The number of open subscriptions (live console tabs).</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Tells every subscriber that <paramref name="topic"/> changed; never blocks.</summary>
    public void Signal(string topic)
    {
        lock (_lock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(topic);
            }
        }
    }

    /// <summary>A new subscription; dispose it to stop receiving.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
        {
            _subscribers.Add(channel);
        }
        return new Subscription(this, channel);
    }

    /// <summary>One subscriber's queue of topics.</summary>
    public sealed class Subscription(ConsoleEvents owner, Channel<string> channel) : IDisposable
    {
        /// <summary>The topics signalled since subscribing, in order.</summary>
        public ChannelReader<string> Topics => channel.Reader;

        /// <inheritdoc />
        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._subscribers.Remove(channel);
            }
        }
    }
}

/// <summary>
/// The <see cref="IEventPublisher"/> the gateway's features publish to once the console is added: forwards every event
/// to the webhook outbox unchanged and signals the matching <see cref="ConsoleEvents"/> topic (<c>session.*</c> and
/// <c>review.*</c>; a review's decision also changes its exec session's status, so it signals both).
/// </summary>
public sealed class ConsoleEventTap(IEventPublisher inner, ConsoleEvents console) : IEventPublisher
{
    /// <inheritdoc />
    public void Publish(string type, object data)
    {
        inner.Publish(type, data);
        if (type.StartsWith("session.", StringComparison.Ordinal))
        {
            console.Signal(ConsoleEvents.Sessions);
        }
        else if (type.StartsWith("review.", StringComparison.Ordinal) || type == GatewayEventTypes.AccessGranted)
        {
            console.Signal(ConsoleEvents.Reviews);
            console.Signal(ConsoleEvents.Sessions);
        }
    }
}
