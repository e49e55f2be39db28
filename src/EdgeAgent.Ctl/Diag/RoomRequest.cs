using System.Text.Json.Nodes;
using EdgeAgent.Client.Broker;
using EdgeAgent.Client.Commands;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Ctl.Broker;
using MQTTnet;

namespace EdgeAgent.Ctl.Diag;

/// <summary>One command from the terminal: connect, send it (<see cref="CommandRequester"/>), wait for the reply, disconnect.</summary>
public static class RoomRequest
{
    public static async Task<CommandOutcome> SendAsync(BrokerOptions broker, RoomAddress room, string command, JsonObject args, TimeSpan timeout,
        Action<TimeSpan>? progress, CancellationToken ct)
    {
        using var client = await BrokerSession.ConnectAsync(broker, BrokerSession.ClientId("diag"), ct).ConfigureAwait(false);
        var outcome = await CommandRequester.SendAsync(client, broker.IsV5, room, command, args, timeout, progress, ct).ConfigureAwait(false);
        await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
        return outcome;
    }
}
