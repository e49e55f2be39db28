using System.Buffers;
using EdgeAgent.Client.Broker;
using EdgeAgent.Office.Store;
using EdgeAgent.Contract.Topics;
using MQTTnet;

namespace EdgeAgent.Office.Collecting;

/// <summary>
/// The office collector (part of the office service, <c>edgeagent-office</c>): a long-running subscriber that stores every lesson
/// record, event and compliance report of the fleet. Nothing is lost across its own, the broker's or the
/// database's restarts: a persistent session (the broker queues while it is away), QoS 1, and each message
/// acknowledged only after its row is stored (a row that cannot be stored yet is retried with backoff, holding the
/// acknowledgement). Rows are keyed by the document's <c>id</c>, so a redelivery is stored once. With
/// <c>share</c> set, several collectors split the fleet through an MQTT shared subscription
/// (<c>$share/{share}/...</c>) and write to one PostgreSQL database. A lone collector subscribes plainly: mosquitto
/// 2.0.11 (Debian 12) does not restore shared subscriptions from its persistence file, so after a broker restart a
/// shared group misses what is published before its members subscribe again; plain persistent subscriptions are restored.
/// </summary>
public sealed class Collector(BrokerOptions broker, OfficeStore store, string name, string? share, TextWriter log, TimeProvider time)
{
    private long _stored, _duplicates, _rejected, _connects;
    private volatile bool _subscribed;

    /// <summary>A document stored for the first time (raised on the MQTT thread after the row is in: handlers must be quick).</summary>
    public event Action<OfficeKind, RoomAddress, byte[]>? StoredDocument;

    public long Stored => Interlocked.Read(ref _stored);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Connects => Interlocked.Read(ref _connects);
    /// <summary>Connected and subscribed: from now on every document published is this collector's (or its group's) to store.</summary>
    public bool IsSubscribed => _subscribed;

    public string ClientId => $"edgeagent-collector-{name}";

    public static IEnumerable<(string Filter, OfficeKind Kind)> Filters(string? share) =>
        new[] { (Suffix.Lessons, OfficeKind.Lesson), (Suffix.Events, OfficeKind.Event), (Suffix.Compliance, OfficeKind.Compliance) }
            .Select(x => ((share is null ? "" : $"$share/{share}/") + TopicTree.Filter(x.Item1), x.Item2));

    // A week's session: the broker keeps the fleet's messages for a collector that is down that long.
    public Task RunAsync(CancellationToken ct) => KeptConnection.RunAsync(broker, BrokerClient.Options(broker, ClientId, (uint)TimeSpan.FromDays(7).TotalSeconds).Build(),
        e => OnMessageAsync(e, ct),
        async (client, result) =>
        {
            Interlocked.Increment(ref _connects);
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var (filter, _) in Filters(share)) subscribe.WithTopicFilter(f => f.WithTopic(filter).WithAtLeastOnceQoS());
            await client.SubscribeAsync(subscribe.Build(), ct).ConfigureAwait(false);
            _subscribed = true;
            log.WriteLine($"collector {name}: connected to {broker.Host}:{broker.Port} (session {(result.IsSessionPresent ? "resumed" : "new")}), storing into {(store.IsPostgres ? "PostgreSQL" : "SQLite")}");
        },
        () => _subscribed = false, line => log.WriteLine($"collector {name}: {line}"), "edgeagent-office", time, ct);

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        e.AutoAcknowledge = false;
        var topic = e.ApplicationMessage.Topic;
        var at = TopicTree.Parse(topic);
        OfficeKind? kind = at?.Suffix switch { Suffix.Lessons => OfficeKind.Lesson, Suffix.Events => OfficeKind.Event, Suffix.Compliance => OfficeKind.Compliance, _ => null };
        if (at is null || kind is null || e.ApplicationMessage.Payload.Length == 0)
        {
            // Not ours (or a retained message being cleared): nothing to keep.
            await e.AcknowledgeAsync(ct).ConfigureAwait(false);
            return;
        }
        var payload = e.ApplicationMessage.Payload.ToArray();
        var attempt = 0;
        while (true)
        {
            try
            {
                var stored = await store.StoreAsync(kind.Value, at.Value.Room, payload, time.GetUtcNow(), ct).ConfigureAwait(false);
                Interlocked.Increment(ref stored ? ref _stored : ref _duplicates);
                if (stored) StoredDocument?.Invoke(kind.Value, at.Value.Room, payload);
                break;
            }
            catch (FormatException f)
            {
                Interlocked.Increment(ref _rejected);
                log.WriteLine($"collector {name}: rejected a message on {topic}: {f.Message}");
                break;
            }
            catch (Exception x) when (x is not OperationCanceledException)
            {
                // The database is away: hold the acknowledgement (the broker keeps the message) and try again.
                log.WriteLine($"collector {name}: cannot store yet ({x.GetType().Name}: {x.Message}); retrying");
                await Task.Delay(Backoff.Delay(attempt++, 0.5, 10), time, ct).ConfigureAwait(false);
            }
        }
        await e.AcknowledgeAsync(ct).ConfigureAwait(false);
    }
}
