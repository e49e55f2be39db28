using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A bad network in user space (the kernel here has no netem): listens on one port for TCP and UDP on 127.0.0.1
/// and forwards both to a target port, adding a one-way delay (plus random jitter) in each direction, dropping a
/// share of client→target UDP datagrams, and limiting the client→target TCP rate with a token bucket (back-pressure, not a buffer).
/// Datagrams keep their order (a queue per direction): jitter that reorders packets would make iperf3 count extra loss.
/// </summary>
public sealed class ImpairmentRelay : IAsyncDisposable
{
    private readonly int _target;
    private readonly TcpListener _tcp;
    private readonly UdpClient _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<IPEndPoint, UdpClient> _upstreams = new();
    private readonly List<Task> _tasks = [];
    private readonly Random _random = new(42);
    private readonly System.Threading.Channels.Channel<(long Due, UdpClient Socket, IPEndPoint? To, byte[] Data)> _toTarget =
        System.Threading.Channels.Channel.CreateUnbounded<(long Due, UdpClient Socket, IPEndPoint? To, byte[] Data)>();
    private readonly System.Threading.Channels.Channel<(long Due, UdpClient Socket, IPEndPoint? To, byte[] Data)> _toClients =
        System.Threading.Channels.Channel.CreateUnbounded<(long Due, UdpClient Socket, IPEndPoint? To, byte[] Data)>();

    public ImpairmentRelay(int targetPort, TimeSpan delay, TimeSpan jitter, double udpLoss, double? upMbps)
    {
        _target = targetPort;
        Delay = delay;
        Jitter = jitter;
        UdpLoss = udpLoss;
        UpMbps = upMbps;
        _tcp = new TcpListener(IPAddress.Loopback, 0);
        _tcp.Start();
        Port = ((IPEndPoint)_tcp.LocalEndpoint).Port;
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, Port));
        _tasks.Add(AcceptLoop());
        _tasks.Add(UdpLoop());
        _tasks.Add(UdpSender(_toTarget));
        _tasks.Add(UdpSender(_toClients));
    }

    public int Port { get; }
    public TimeSpan Delay { get; }
    public TimeSpan Jitter { get; }
    public double UdpLoss { get; }
    public double? UpMbps { get; }

    private TimeSpan OneWay()
    {
        lock (_random) return Delay + Jitter * _random.NextDouble();
    }

    private long _datagrams;

    /// <summary>Evenly spread, deterministic loss: every (1/loss)-th datagram from a client is dropped, never its first (the iperf3 UDP handshake).</summary>
    private bool Drop()
    {
        if (UdpLoss <= 0) return false;
        var n = Interlocked.Increment(ref _datagrams);
        var every = (long)Math.Round(1 / UdpLoss);
        return n > 1 && n % every == 0;
    }

    private async Task AcceptLoop()
    {
        try
        {
            while (true)
            {
                var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient();
                try
                {
                    await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                }
                catch (SocketException)
                {
                    // The target refused this one: so does the relay, and it goes on accepting.
                    client.Close();
                    server.Dispose();
                    continue;
                }
                client.NoDelay = server.NoDelay = true;
                lock (_tasks)
                {
                    _tasks.Add(Pipe(client, server, UpMbps));
                    _tasks.Add(Pipe(server, client, null));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads at most the rate allows, and delivers each chunk after the one-way delay, in order.</summary>
    private async Task Pipe(TcpClient from, TcpClient to, double? mbps)
    {
        var queue = System.Threading.Channels.Channel.CreateUnbounded<(long Due, byte[] Data)>();
        var writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var (due, data) in queue.Reader.ReadAllAsync(_stop.Token))
                {
                    var wait = TimeSpan.FromTicks(due - Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, _stop.Token);
                    if (data.Length == 0) break;
                    await to.GetStream().WriteAsync(data, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
            {
            }
            finally
            {
                to.Close();
            }
        });
        var buffer = new byte[mbps is null ? 65536 : 4096];
        var clock = Stopwatch.StartNew();
        long sent = 0;
        try
        {
            int n;
            while ((n = await from.GetStream().ReadAsync(buffer, _stop.Token)) > 0)
            {
                var now = Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / Stopwatch.Frequency;
                await queue.Writer.WriteAsync((now + OneWay().Ticks, buffer[..n]), _stop.Token);
                sent += n;
                if (mbps is { } rate)
                {
                    // Token bucket: do not read more until the bytes so far fit the rate.
                    var ahead = TimeSpan.FromSeconds(sent * 8 / (rate * 1e6)) - clock.Elapsed;
                    if (ahead > TimeSpan.Zero) await Task.Delay(ahead, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        queue.Writer.TryWrite((0, []));
        queue.Writer.TryComplete();
        await writer;
    }

    private async Task UdpLoop()
    {
        try
        {
            while (true)
            {
                var datagram = await _udp.ReceiveAsync(_stop.Token);
                var client = datagram.RemoteEndPoint;
                var upstream = _upstreams.GetOrAdd(client, c =>
                {
                    var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
                    u.Connect(IPAddress.Loopback, _target);
                    lock (_tasks) _tasks.Add(UdpBack(u, c));
                    return u;
                });
                if (Drop()) continue;
                _toTarget.Writer.TryWrite((Due(), upstream, null, datagram.Buffer));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task UdpBack(UdpClient upstream, IPEndPoint client)
    {
        try
        {
            while (true)
            {
                var datagram = await upstream.ReceiveAsync(_stop.Token);
                _toClients.Writer.TryWrite((Due(), _udp, client, datagram.Buffer));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private long Due() => Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / Stopwatch.Frequency + OneWay().Ticks;

    /// <summary>Sends queued datagrams in order, each at its due time: a delay, never a reordering the relay made up.</summary>
    private async Task UdpSender(System.Threading.Channels.Channel<(long Due, UdpClient Socket, IPEndPoint? To, byte[] Data)> queue)
    {
        try
        {
            await foreach (var (due, socket, to, data) in queue.Reader.ReadAllAsync(_stop.Token))
            {
                var wait = TimeSpan.FromTicks(due - Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _stop.Token);
                if (to is null) await socket.SendAsync(data, _stop.Token);
                else await socket.SendAsync(data, to, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp.Stop();
        _udp.Dispose();
        foreach (var u in _upstreams.Values) u.Dispose();
        Task[] all;
        lock (_tasks) all = [.. _tasks];
        try
        {
            await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
