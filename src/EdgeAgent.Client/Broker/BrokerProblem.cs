using System.Net.Sockets;
using System.Security.Authentication;

namespace EdgeAgent.Client.Broker;

/// <summary>Why the broker could not be used, as a sentence a technician can act on (edgeagent-ctl prints it, the office logs it).</summary>
public static class BrokerProblem
{
    /// <param name="passwordFrom">Where this program takes the password from, named in the hint.</param>
    public static string Refused(BrokerOptions b, string code, string? reason, string who, string passwordFrom)
    {
        var why = code switch
        {
            "NotAuthorized" or "BadUserNameOrPassword" => $"not authorized: check the user name and password ({passwordFrom}) or the client certificate",
            "ClientIdentifierNotValid" => "it did not accept the client id",
            "UnsupportedProtocolVersion" => "it does not speak this MQTT version: try --protocol 3.1.1",
            "ServerUnavailable" or "ServerBusy" => "it is unavailable or busy: try again later",
            _ => code,
        };
        return $"{who}: the broker at {b.Host}:{b.Port} refused the connection: {why}{(reason is null ? "" : $" ({reason})")}";
    }

    public static string Unreachable(BrokerOptions b, Exception e, string who)
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
        return $"{who}: cannot reach the broker at {b.Host}:{b.Port}: {why}";
    }
}
