using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeAgent.Media.Play;

/// <summary>
/// mpv's JSON IPC (<c>--input-ipc-server</c>): one JSON object per line each way. A request carries a
/// <c>request_id</c>; its answer echoes it. A request not answered within its timeout fails, and a late answer finds
/// no one waiting. Of the events, only the changes of an observed property are passed on (<see cref="ObserveAsync"/>).
/// </summary>
public sealed class MpvIpc : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly ConcurrentDictionary<long, Action<JsonNode?>> _observers = new();
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private long _nextId;

    private MpvIpc(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Connects to the socket, waiting for mpv to create it for up to <paramref name="timeout"/>.</summary>
    public static async Task<MpvIpc> ConnectAsync(string path, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var until = time.GetUtcNow() + timeout;
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
                return new MpvIpc(socket);
            }
            catch (SocketException) when (time.GetUtcNow() < until)
            {
                socket.Dispose();
                await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    public bool Connected => !_reader.IsCompleted;

    /// <summary>Sends a command (e.g. <c>["get_property", "time-pos"]</c>) and returns its <c>data</c>; throws <see cref="MpvException"/> on an error answer.</summary>
    public Task<JsonNode?> CommandAsync(TimeSpan timeout, CancellationToken ct, params string[] command) =>
        SendAsync(new JsonArray([.. command.Select(c => (JsonNode)JsonValue.Create(c))]), timeout, ct);

    private async Task<JsonNode?> SendAsync(JsonArray command, TimeSpan timeout, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            var request = new JsonObject { ["command"] = command, ["request_id"] = id };
            var line = Encoding.UTF8.GetBytes(request.ToJsonString() + "\n");
            await _write.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await _stream.WriteAsync(line, ct).ConfigureAwait(false);
            }
            finally
            {
                _write.Release();
            }
            return await answer.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Observes a property: mpv sends its value each time it changes (<c>time-pos</c>: at each frame it shows), and
    /// <paramref name="changed"/> gets it on the reading thread, as it arrives; it must be quick and must not throw.
    /// </summary>
    public async Task ObserveAsync(string property, Action<JsonNode?> changed, TimeSpan timeout, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        _observers[id] = changed;
        try
        {
            await SendAsync(new JsonArray("observe_property", id, property), timeout, ct).ConfigureAwait(false);
        }
        catch
        {
            _observers.TryRemove(id, out _);
            throw;
        }
    }

    public async Task<double?> GetDoubleAsync(string property, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return (await CommandAsync(timeout, ct, "get_property", property).ConfigureAwait(false)) is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
        }
        catch (MpvException)
        {
            return null; // "property unavailable": nothing playing yet
        }
    }

    /// <summary>A string property, or null while mpv has none ("property unavailable": a file still loading).</summary>
    public async Task<string?> GetStringAsync(string property, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return (await CommandAsync(timeout, ct, "get_property", property).ConfigureAwait(false)) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        }
        catch (MpvException)
        {
            return null;
        }
    }

    private async Task ReadAsync()
    {
        using var reader = new StreamReader(_stream, Encoding.UTF8);
        try
        {
            while (await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false) is { } line)
            {
                JsonNode? message;
                try
                {
                    message = JsonNode.Parse(line);
                }
                catch (System.Text.Json.JsonException)
                {
                    continue;
                }
                if (message is not JsonObject o) continue;
                if ((string?)o["event"] == "property-change" && o["id"] is JsonValue observed && observed.TryGetValue<long>(out var observer)
                    && _observers.TryGetValue(observer, out var changed))
                {
                    changed(o["data"]);
                    continue;
                }
                if (o["request_id"] is not JsonValue idValue || !idValue.TryGetValue<long>(out var id)) continue;
                if (!_pending.TryGetValue(id, out var waiter)) continue;
                var error = (string?)o["error"];
                if (error == "success") waiter.TrySetResult(o["data"]?.DeepClone());
                else waiter.TrySetException(new MpvException(error ?? "no answer"));
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        foreach (var waiter in _pending.Values) waiter.TrySetException(new MpvException("the player's IPC connection closed"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
        _stream.Dispose();
        _stop.Dispose();
        _write.Dispose();
    }
}

/// <summary>mpv answered a command with an error (e.g. "property unavailable"), or the connection closed.</summary>
public sealed class MpvException(string message) : Exception(message);
