using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A Unix datagram socket playing systemd's part of the notify protocol: the agent gets its path as
/// NOTIFY_SOCKET and every datagram it sends (READY=1, WATCHDOG=1, STOPPING=1) is recorded in order.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly Channel<string> _received = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = [];
    private readonly CancellationTokenSource _stop = new();

    public NotifySocket(TempDir dir)
    {
        Path = dir.File("notify.sock");
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        _ = Task.Run(ReceiveLoop);
    }

    public string Path { get; }

    public IReadOnlyList<string> All { get { lock (_all) return _all.ToList(); } }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[4096];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                foreach (var line in Encoding.UTF8.GetString(buffer, 0, n).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    lock (_all) _all.Add(line);
                    _received.Writer.TryWrite(line);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
    }

    /// <summary>Waits for the next message equal to <paramref name="expected"/>, returning the ones skipped on the way.</summary>
    public async Task<List<string>> WaitForAsync(string expected, TimeSpan timeout)
    {
        var skipped = new List<string>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var message = await _received.Reader.ReadAsync(cts.Token);
                if (message == expected) return skipped;
                skipped.Add(message);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {expected} within {timeout.TotalSeconds} s; received: {string.Join(", ", All)}");
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try { File.Delete(Path); } catch (IOException) { }
    }
}
