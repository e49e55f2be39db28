using System.Buffers;
using System.Collections.Concurrent;
using EdgeAgent.Client.Broker;
using EdgeAgent.Client.Fleet;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Ctl.Broker;
using MQTTnet;

namespace EdgeAgent.Ctl.Fleet;

/// <summary>
/// Reads the retained documents of the fleet (or a part of it) from the broker. MQTT has no "end of retained
/// messages" marker: they arrive right after the SUBACK, so the view is complete once the broker has been quiet
/// for <c>quiet</c> (default 500 ms) after the last one, bounded by <c>limit</c>.
/// </summary>
public static class RetainedView
{
    public static async Task<IReadOnlyList<RoomView>> ReadAsync(BrokerOptions broker, string region, string school, string room, CancellationToken ct,
        TimeSpan? quiet = null, TimeSpan? limit = null)
    {
        using var client = await BrokerSession.ConnectAsync(broker, BrokerSession.ClientId("view"), ct).ConfigureAwait(false);
        var rooms = new ConcurrentDictionary<string, RoomView>();
        var last = System.Diagnostics.Stopwatch.StartNew();
        client.ApplicationMessageReceivedAsync += e =>
        {
            last.Restart();
            if (TopicTree.Parse(e.ApplicationMessage.Topic) is not { } at || e.ApplicationMessage.Payload.Length == 0) return Task.CompletedTask;
            var view = rooms.GetOrAdd(at.Room.ToString(), _ => new RoomView(at.Room));
            var bytes = e.ApplicationMessage.Payload.ToArray();
            lock (view) view.Apply(at.Suffix, bytes); // a document that is not the contract's: `status` says so
            return Task.CompletedTask;
        };
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var suffix in Suffix.Retained)
            subscribe.WithTopicFilter(f => f.WithTopic(TopicTree.Filter(suffix, region, school, room)).WithAtLeastOnceQoS());
        await client.SubscribeAsync(subscribe.Build(), ct).ConfigureAwait(false);
        last.Restart();
        var q = quiet ?? TimeSpan.FromMilliseconds(500);
        var until = System.Diagnostics.Stopwatch.StartNew();
        while (last.Elapsed < q && until.Elapsed < (limit ?? TimeSpan.FromSeconds(15)))
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
        await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
        return rooms.Values.OrderBy(r => r.Room.ToString(), StringComparer.Ordinal).ToList();
    }
}
