using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Simulators.Common;

/// <summary>Accept loop of a simulated TCP device bound to 127.0.0.1; one task per connection.</summary>
public abstract class TcpSimulator : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _accept;
    private readonly Lock _gate = new();
    private readonly List<TcpClient> _clients = [];
    private int _connections;

    protected TcpSimulator(int port, SimulatorLog? log, string name)
    {
        Log = log ?? SimulatorLog.Silent();
        Name = name;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }
    public FaultPlan Faults { get; } = new();
    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);
    protected SimulatorLog Log { get; }
    protected string Name { get; }
    protected CancellationTokenSource Stopping { get; } = new();

    private async Task AcceptLoopAsync()
    {
        while (!Stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(Stopping.Token);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            Interlocked.Increment(ref _connections);
            client.NoDelay = true;
            lock (_gate) _clients.Add(client);
            _ = Task.Run(async () =>
            {
                try
                {
                    await HandleAsync(client.GetStream(), Stopping.Token);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException) { }
                finally
                {
                    lock (_gate) _clients.Remove(client);
                    client.Dispose();
                }
            });
        }
    }

    protected abstract Task HandleAsync(NetworkStream stream, CancellationToken ct);

    /// <summary>Closes every open connection (a device reboot, a cable pulled for a moment).</summary>
    public void DropConnections()
    {
        lock (_gate)
        {
            foreach (var c in _clients) c.Dispose();
            _clients.Clear();
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        Stopping.Cancel();
        _listener.Stop();
        DropConnections();
        try { await _accept; } catch (OperationCanceledException) { }
        GC.SuppressFinalize(this);
    }
}
