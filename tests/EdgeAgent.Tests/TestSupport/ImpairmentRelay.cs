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
    private readonly List<Thread> _threads = [];
    private readonly BlockingCollection<(long Due, UdpClient Socket, IPEndPoint? To, byte[] Data)> _toTarget = [];
    private readonly BlockingCollection<(long Due, UdpClient Socket, IPEndPoint? To, byte[] Data)> _toClients = [];

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
        _udp.Client.ReceiveBufferSize = UdpBuffer;
        _tasks.Add(AcceptLoop());
        _threads.Add(StartThread("relay-udp-in", UdpLoop));
        _threads.Add(StartThread("relay-udp-to-target", () => UdpSender(_toTarget)));
        _threads.Add(StartThread("relay-udp-to-clients", () => UdpSender(_toClients)));
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
                    var wait = TimeSpan.FromTicks(due - Now());
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
                var now = Now();
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

    // The UDP path runs on dedicated threads with large socket buffers: on a loaded machine the thread pool can stall
    // for most of a second, and a full receive buffer would drop datagrams the test did not mean to lose.
    private const int UdpBuffer = 4 << 20;

    private Thread StartThread(string name, Action body)
    {
        var thread = new Thread(() => body()) { IsBackground = true, Name = name, Priority = ThreadPriority.AboveNormal };
        thread.Start();
        return thread;
    }

    private void UdpLoop()
    {
        var from = (EndPoint)new IPEndPoint(IPAddress.Loopback, 0);
        var buffer = new byte[65536];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = _udp.Client.ReceiveFrom(buffer, ref from);
                var client = (IPEndPoint)from;
                var upstream = _upstreams.GetOrAdd(client, c =>
                {
                    var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
                    u.Client.ReceiveBufferSize = UdpBuffer;
                    u.Connect(IPAddress.Loopback, _target);
                    lock (_threads) _threads.Add(StartThread("relay-udp-back", () => UdpBack(u, c)));
                    return u;
                });
                if (Drop()) continue;
                _toTarget.Add((Due(), upstream, null, buffer[..n]));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private void UdpBack(UdpClient upstream, IPEndPoint client)
    {
        var buffer = new byte[65536];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = upstream.Client.Receive(buffer);
                _toClients.Add((Due(), _udp, client, buffer[..n]));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private static long Now() => Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / Stopwatch.Frequency;

    private long Due() => Now() + OneWay().Ticks;

    /// <summary>Sends queued datagrams in order, each at its due time: a delay, never a reordering the relay made up.</summary>
    private void UdpSender(BlockingCollection<(long Due, UdpClient Socket, IPEndPoint? To, byte[] Data)> queue)
    {
        try
        {
            foreach (var (due, socket, to, data) in queue.GetConsumingEnumerable(_stop.Token))
            {
                var wait = TimeSpan.FromTicks(due - Now());
                if (wait > TimeSpan.Zero && _stop.Token.WaitHandle.WaitOne(wait)) return;
                if (to is null) socket.Client.Send(data);
                else socket.Client.SendTo(data, to);
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
        Thread[] threads;
        lock (_threads) threads = [.. _threads];
        foreach (var thread in threads) thread.Join(TimeSpan.FromSeconds(10));
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
