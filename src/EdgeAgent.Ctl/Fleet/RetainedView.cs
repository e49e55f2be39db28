using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using EdgeAgent.Client.Broker;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Ctl.Broker;
using MQTTnet;

namespace EdgeAgent.Ctl.Fleet;

/// <summary>What the broker keeps of one room: its retained <c>state</c>, <c>health</c>, <c>compliance</c>, <c>tallies</c>, <c>update</c>, read as the contract's documents.</summary>
public sealed class RoomView(RoomAddress room)
{
    public RoomAddress Room { get; } = room;
    public StatePayload? State { get; set; }
    public HealthPayload? Health { get; set; }
    public ComplianceReport? Compliance { get; set; }
    public Tallies? Tallies { get; set; }
    public UpdateStatus? Update { get; set; }
    /// <summary>Retained documents that were not the contract's (a newer agent, or someone else's message), by suffix.</summary>
    public List<string> Unreadable { get; } = [];

    public bool? Online => State?.Online;
    public DateTimeOffset? HealthAt => Health?.At;
    public DateTimeOffset? StartedAt => State?.StartedAt;

    /// <summary>Devices not <c>online</c>, with their state.</summary>
    public IReadOnlyList<string> DeviceProblems =>
        Health?.Devices.Where(d => d.State != "online").Select(d => $"{d.Id}:{d.State}").ToList() ?? [];
}

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
            lock (view)
            {
                try
                {
                    switch (at.Suffix)
                    {
                        case Suffix.State: view.State = JsonSerializer.Deserialize(bytes, ContractJson.Wire.StatePayload); break;
                        case Suffix.Health: view.Health = JsonSerializer.Deserialize(bytes, ContractJson.Wire.HealthPayload); break;
                        case Suffix.Compliance: view.Compliance = JsonSerializer.Deserialize(bytes, ContractJson.Wire.ComplianceReport); break;
                        case Suffix.Tallies: view.Tallies = JsonSerializer.Deserialize(bytes, ContractJson.Wire.Tallies); break;
                        case Suffix.Update: view.Update = JsonSerializer.Deserialize(bytes, ContractJson.Wire.UpdateStatus); break;
                    }
                }
                catch (JsonException)
                {
                    view.Unreadable.Add(at.Suffix); // not ours to judge here; `status` says so
                }
            }
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
