using System.Net.Sockets;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Transport;

/// <summary>Opens a byte stream to one device (PJLink, mic array). The driver disposes each stream it opens.</summary>
public interface IStreamConnector
{
    string Endpoint { get; }
    Task<Stream> ConnectAsync(CancellationToken cancellationToken);
}

/// <summary>TCP to host:port; connection failures become <see cref="DeviceException"/> (Unreachable or Timeout).</summary>
public sealed class TcpStreamConnector(string host, int port, TimeSpan connectTimeout) : IStreamConnector
{
    public string Endpoint => $"{host}:{port}";

    public async Task<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(connectTimeout);
        try
        {
            await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            return client.GetStream();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new DeviceException(DeviceErrorKind.Timeout, $"no TCP connection to {Endpoint} within {connectTimeout.TotalSeconds:F1} s");
        }
        catch (SocketException e)
        {
            client.Dispose();
            throw new DeviceException(DeviceErrorKind.Unreachable, $"cannot connect to {Endpoint}: {e.SocketErrorCode}", e);
        }
    }
}
