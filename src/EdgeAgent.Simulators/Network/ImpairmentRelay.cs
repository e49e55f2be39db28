using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Simulators.Network;

/// <summary>
/// What the simulated network does to traffic: a one-way delay (plus random jitter, order kept) in each direction,
/// a share of client→target datagrams lost, and the client→target rate of a bottleneck with a queue behind it
/// (<see cref="RateMbps"/>, null: no limit). <see cref="QueueMilliseconds"/> is how much the bottleneck's buffer holds,
/// counted in time at the rate: a datagram that would wait longer is dropped (tail drop), as a router does.
/// </summary>
public sealed record Impairment(TimeSpan Delay, TimeSpan Jitter = default, double Loss = 0, double? RateMbps = null, double QueueMilliseconds = 300)
{
    public static readonly Impairment None = new(TimeSpan.Zero);

    /// <summary>
    /// An impairment from its words, as the simulator's command line and control pipe take it:
    /// <c>delay=150,loss=3,rate=2</c> (milliseconds each way, percent, Mbit/s; also <c>jitter=</c> ms, <c>queue=</c> ms;
    /// <c>rate=0</c> or none: no limit). Null with the problem when the words are not that.
    /// </summary>
    public static Impairment? Parse(string spec, out string? problem)
    {
        problem = null;
        var i = None;
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2 || !double.TryParse(kv[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || v < 0)
            {
                problem = $"'{part}' is not NAME=NUMBER";
                return null;
            }
            switch (kv[0])
            {
                case "delay": i = i with { Delay = TimeSpan.FromMilliseconds(v) }; break;
                case "jitter": i = i with { Jitter = TimeSpan.FromMilliseconds(v) }; break;
                case "loss" when v <= 100: i = i with { Loss = v / 100 }; break;
                case "rate": i = i with { RateMbps = v > 0 ? v : null }; break;
                case "queue": i = i with { QueueMilliseconds = v }; break;
                default:
                    problem = $"'{part}': known are delay, jitter, loss (0-100), rate, queue";
                    return null;
            }
        }
        return i;
    }

    public override string ToString() =>
        $"{Delay.TotalMilliseconds:0} ms each way{(Jitter > TimeSpan.Zero ? $" (+{Jitter.TotalMilliseconds:0} ms jitter)" : "")}, {Loss * 100:0.#} % loss, "
        + (RateMbps is { } r ? $"{r:0.###} Mbit/s" : "no rate limit");
}

/// <summary>
/// A bad network in user space (the kernel here has no netem): listens on one port for TCP and UDP on 127.0.0.1 and
/// forwards both to a target port, doing what <see cref="Impairment"/> says; the impairment can be changed while traffic
/// flows (a link that gets worse mid-lesson). UDP is the path that matters for SRT: datagrams from a client go through
/// the loss, then the bottleneck (serialized at the rate, so back-to-back packets leave spaced as on a real slow link,
/// which is what SRT's bandwidth estimate measures), then the delay; datagrams back to the client only get the delay.
/// TCP gets the delay both ways and the rate client→target as a token bucket (back-pressure, not a queue).
/// Loss is deterministic and evenly spread (every (1/loss)-th datagram, never a client's first: iperf3's handshake).
/// </summary>
public sealed class ImpairmentRelay : IAsyncDisposable
{
    // The UDP path runs on dedicated threads with large socket buffers: on a loaded machine the thread pool can stall
    // for most of a second, and a full receive buffer would drop datagrams the test did not mean to lose.
    private const int UdpBuffer = 4 << 20;

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
    private Impairment _impairment;
    private long _datagrams, _lost, _overflowed, _forwarded;
    private long _bottleneckFreeAt;

    /// <param name="port">The port to listen on (0: a free one, for TCP and UDP alike).</param>
    public ImpairmentRelay(int targetPort, Impairment impairment, int port = 0)
    {
        _target = targetPort;
        _impairment = impairment;
        _tcp = new TcpListener(IPAddress.Loopback, port);
        _tcp.Start();
        Port = ((IPEndPoint)_tcp.LocalEndpoint).Port;
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, Port));
        _udp.Client.ReceiveBufferSize = UdpBuffer;
        _tasks.Add(AcceptLoop());
        _threads.Add(StartThread("relay-udp-in", UdpLoop));
        _threads.Add(StartThread("relay-udp-to-target", () => UdpSender(_toTarget)));
        _threads.Add(StartThread("relay-udp-to-clients", () => UdpSender(_toClients)));
    }

    /// <summary>The port clients send to (TCP and UDP).</summary>
    public int Port { get; }

    /// <summary>What the relay does now; set it to change the link while traffic flows.</summary>
    public Impairment Impairment
    {
        get => Volatile.Read(ref _impairment);
        set => Volatile.Write(ref _impairment, value);
    }

    /// <summary>Client→target datagrams: received, dropped as loss, dropped because the bottleneck's queue was full, forwarded.</summary>
    public (long Received, long Lost, long Overflowed, long Forwarded) UdpCounts =>
        (Interlocked.Read(ref _datagrams), Interlocked.Read(ref _lost), Interlocked.Read(ref _overflowed), Interlocked.Read(ref _forwarded));

    private TimeSpan OneWay(Impairment i)
    {
        if (i.Jitter <= TimeSpan.Zero) return i.Delay;
        lock (_random) return i.Delay + i.Jitter * _random.NextDouble();
    }

    private bool Drop(Impairment i)
    {
        var n = Interlocked.Increment(ref _datagrams);
        if (i.Loss <= 0) return false;
        var every = Math.Max(1, (long)Math.Round(1 / i.Loss));
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
                    _tasks.Add(Pipe(client, server, limited: true));
                    _tasks.Add(Pipe(server, client, limited: false));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads at most the rate allows, and delivers each chunk after the one-way delay, in order.</summary>
    private async Task Pipe(TcpClient from, TcpClient to, bool limited)
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
        var buffer = new byte[limited ? 4096 : 65536];
        var clock = Stopwatch.StartNew();
        double sentSeconds = 0; // the bytes so far, in seconds at the rate(s) they were read at
        try
        {
            int n;
            while ((n = await from.GetStream().ReadAsync(buffer, _stop.Token)) > 0)
            {
                var impairment = Impairment;
                await queue.Writer.WriteAsync((Now() + OneWay(impairment).Ticks, buffer[..n]), _stop.Token);
                if (limited && impairment.RateMbps is { } rate)
                {
                    // Token bucket: do not read more until the bytes so far fit the rate.
                    sentSeconds = Math.Max(sentSeconds, clock.Elapsed.TotalSeconds - 0.05) + n * 8 / (rate * 1e6);
                    var ahead = TimeSpan.FromSeconds(sentSeconds) - clock.Elapsed;
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
                var impairment = Impairment;
                if (Drop(impairment))
                {
                    Interlocked.Increment(ref _lost);
                    continue;
                }
                var now = Now();
                var departs = now;
                if (impairment.RateMbps is { } rate)
                {
                    // The bottleneck sends one datagram after another at the rate; what waits longer than its buffer holds is dropped.
                    var start = Math.Max(now, _bottleneckFreeAt);
                    if (start - now > TimeSpan.FromMilliseconds(impairment.QueueMilliseconds).Ticks)
                    {
                        Interlocked.Increment(ref _overflowed);
                        continue;
                    }
                    departs = start + (long)(n * 8 / (rate * 1e6) * TimeSpan.TicksPerSecond);
                    _bottleneckFreeAt = departs;
                }
                Interlocked.Increment(ref _forwarded);
                _toTarget.Add((departs + OneWay(impairment).Ticks, upstream, null, buffer[..n]));
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
                int n;
                try
                {
                    n = upstream.Client.Receive(buffer);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    continue; // the target was not listening a moment ago (a restarting relay): it may be now
                }
                _toClients.Add((Now() + OneWay(Impairment).Ticks, _udp, client, buffer[..n]));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    // Ticks since the relay started. (Stopwatch.GetTimestamp() × ticks per second overflows a long once the machine has been up
    // for some 15 minutes when the timestamp counts nanoseconds: delays then came out as garbage.)
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private long Now() => _clock.Elapsed.Ticks;

    /// <summary>Sends queued datagrams in order, each at its due time (never before the one ahead of it: no reordering made up).</summary>
    private void UdpSender(BlockingCollection<(long Due, UdpClient Socket, IPEndPoint? To, byte[] Data)> queue)
    {
        try
        {
            foreach (var (due, socket, to, data) in queue.GetConsumingEnumerable(_stop.Token))
            {
                var wait = TimeSpan.FromTicks(due - Now());
                if (wait > TimeSpan.Zero && _stop.Token.WaitHandle.WaitOne(wait)) return;
                try
                {
                    if (to is null) socket.Client.Send(data);
                    else socket.Client.SendTo(data, to);
                }
                catch (SocketException)
                {
                    // Nobody listens there (yet): the datagram is lost, as on a network.
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
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
