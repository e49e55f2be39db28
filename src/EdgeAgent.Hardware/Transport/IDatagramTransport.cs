using System.Net;
using System.Net.Sockets;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Transport;

/// <summary>A datagram link to one device (VISCA over IP). The driver owns and disposes it.</summary>
public interface IDatagramTransport : IAsyncDisposable
{
    ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken);
    /// <summary>Receives one datagram; throws <see cref="DeviceException"/> (Unreachable) when the peer port is closed.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}

/// <summary>A connected UDP socket: only datagrams from the device's address and port are received.</summary>
public sealed class UdpDatagramTransport : IDatagramTransport
{
    private readonly string _host;
    private readonly int _port;
    private Socket? _socket;

    public UdpDatagramTransport(string host, int port)
    {
        _host = host;
        _port = port;
    }

    private async ValueTask<Socket> SocketAsync(CancellationToken cancellationToken)
    {
        if (_socket is not null) return _socket;
        IPAddress address;
        if (!IPAddress.TryParse(_host, out address!))
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(_host, cancellationToken).ConfigureAwait(false);
                address = addresses.FirstOrDefault() ?? throw new DeviceException(DeviceErrorKind.Unreachable, $"{_host} has no address");
            }
            catch (SocketException e)
            {
                throw new DeviceException(DeviceErrorKind.Unreachable, $"cannot resolve {_host}: {e.Message}", e);
            }
        }
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(address, _port));
        return _socket = socket;
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        var socket = await SocketAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(datagram, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new DeviceException(DeviceErrorKind.Unreachable, $"send to {_host}:{_port} failed: {e.SocketErrorCode}", e);
        }
    }

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var socket = await SocketAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.HostUnreachable or SocketError.NetworkUnreachable)
        {
            throw new DeviceException(DeviceErrorKind.Unreachable, $"{_host}:{_port} is not listening ({e.SocketErrorCode})", e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        _socket = null;
        return ValueTask.CompletedTask;
    }
}
