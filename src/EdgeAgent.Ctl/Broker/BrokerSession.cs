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

    internal static string Refused(BrokerOptions b, string code, string? reason)
    {
        var why = code switch
        {
            "NotAuthorized" or "BadUserNameOrPassword" => "not authorized: check the user name and password (EDGEAGENT_CTL_PASSWORD) or the client certificate",
            "ClientIdentifierNotValid" => "it did not accept the client id",
            "UnsupportedProtocolVersion" => "it does not speak this MQTT version: try --protocol 3.1.1",
            "ServerUnavailable" or "ServerBusy" => "it is unavailable or busy: try again later",
            _ => code,
        };
        return $"edgeagent-ctl: the broker at {b.Host}:{b.Port} refused the connection: {why}{(reason is null ? "" : $" ({reason})")}";
    }

    internal static string Unreachable(BrokerOptions b, Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null && inner is not SocketException and not AuthenticationException) inner = inner.InnerException;
        var why = inner switch
        {
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused: is the broker running, is the port right?",
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData } => "the host name does not resolve",
            SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable } s => $"{s.SocketErrorCode}: no route to the broker",
            AuthenticationException a => $"the TLS handshake failed ({a.Message}): check --tls-ca and the client certificate",
            OperationCanceledException or TimeoutException => "no answer within 10 s",
            _ => inner.Message,
        };
        return $"edgeagent-ctl: cannot reach the broker at {b.Host}:{b.Port}: {why}";
    }
}
