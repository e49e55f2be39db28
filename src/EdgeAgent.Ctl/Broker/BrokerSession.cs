using System.Net.Sockets;
using System.Security.Authentication;
using EdgeAgent.Client.Broker;
using EdgeAgent.Contract.Topics;
using MQTTnet;
using MQTTnet.Exceptions;

namespace EdgeAgent.Ctl.Broker;

/// <summary>One connection of edgeagent-ctl to the broker; failures become sentences a technician can act on.</summary>
public static class BrokerSession
{
    /// <summary>Options for a client of ctl: a clean session unless <paramref name="sessionExpiry"/> asks for a persistent one.</summary>
    public static MqttClientOptions Options(BrokerOptions b, string clientId, TimeSpan? sessionExpiry = null) =>
        BrokerClient.Options(b, clientId, sessionExpiry is { } e && e > TimeSpan.Zero ? (uint)e.TotalSeconds : 0).Build();

    /// <summary>A client id unique to this run: two technicians must not push each other off.</summary>
    public static string ClientId(string purpose) =>
        $"edgeagent-ctl-{purpose}-{Environment.MachineName}-{Environment.ProcessId}-{Random.Shared.Next(0x10000):x4}";

    public static async Task<IMqttClient> ConnectAsync(BrokerOptions b, string clientId, CancellationToken ct, TimeSpan? sessionExpiry = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(Options(b, clientId, sessionExpiry), ct).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
                throw new CtlException(Refused(b, result.ResultCode.ToString(), result.ReasonString), CtlExit.Unreachable);
            return client;
        }
        catch (MqttCommunicationException e) when (e.GetType().Name == "MqttConnectingFailedException")
        {
            // MQTTnet 5 reports a refusal by exception; its message names the CONNACK reason: "... failed (NotAuthorized)."
            client.Dispose();
            var code = System.Text.RegularExpressions.Regex.Match(e.Message, @"\((\w+)\)") is { Success: true } m ? m.Groups[1].Value : e.Message;
            throw new CtlException(Refused(b, code, null), CtlExit.Unreachable, e);
        }
        catch (Exception e) when (e is MqttCommunicationException or SocketException or AuthenticationException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            client.Dispose();
            throw new CtlException(Unreachable(b, e), CtlExit.Unreachable, e);
        }
    }

    internal static string Refused(BrokerOptions b, string code, string? reason) => BrokerProblem.Refused(b, code, reason, "edgeagent-ctl", "EDGEAGENT_CTL_PASSWORD");

    internal static string Unreachable(BrokerOptions b, Exception e) => BrokerProblem.Unreachable(b, e, "edgeagent-ctl");
}
