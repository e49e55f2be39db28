namespace EdgeAgent.Office.Fleet;

/// <summary>
/// Live updates for the open console pages: each page subscribes and is told which rooms changed. Changes are coalesced
/// per room (a page that is slow to read gets the room's latest state once, not every step), so none is lost and a slow
/// page cannot make the office hold an ever-growing queue.
/// </summary>
public sealed class FleetFeed : IDisposable
{
    private readonly FleetLive _live;
    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];
    private long _published;

    public FleetFeed(FleetLive live)
    {
        _live = live;
        _live.Changed += OnChanged;
    }

    /// <summary>Room changes announced to pages so far (each page counted once per room change it was told of).</summary>
    public long Published => Interlocked.Read(ref _published);

    public int Subscribers { get { lock (_gate) return _subscriptions.Count; } }

    /// <param name="room">Only this room (a room page); null for the whole fleet.</param>
    public Subscription Subscribe(string? room)
    {
        var s = new Subscription(this, room);
        lock (_gate) _subscriptions.Add(s);
        return s;
    }

    private void OnChanged(LiveRoom room)
    {
        lock (_gate)
        {
            foreach (var s in _subscriptions)
                if (s.Room is null || s.Room == room.Id)
                {
                    s.Mark(room.Id);
                    Interlocked.Increment(ref _published);
                }
        }
    }

    /// <summary>Something beside the rooms changed (the alerts): every page is told once.</summary>
    public void AnnounceAlerts()
    {
        lock (_gate)
            foreach (var s in _subscriptions) s.MarkAlerts();
    }

    private void Remove(Subscription s)
    {
        lock (_gate) _subscriptions.Remove(s);
    }

    public void Dispose() => _live.Changed -= OnChanged;

    public sealed class Subscription(FleetFeed feed, string? room) : IDisposable
    {
        private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
        private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private bool _alerts;

        public string? Room { get; } = room;

        /// <summary>The alerts changed since the last <see cref="NextAsync"/> that said so.</summary>
        public bool TakeAlerts()
        {
            lock (_dirty)
            {
                var was = _alerts;
                _alerts = false;
                return was;
            }
        }

        internal void MarkAlerts()
        {
            lock (_dirty)
            {
                _alerts = true;
                _signal.TrySetResult();
            }
        }

        internal void Mark(string id)
        {
            lock (_dirty)
            {
                _dirty.Add(id);
                _signal.TrySetResult();
            }
        }

        /// <summary>The rooms changed since the last call; waits until there is one (or the alerts changed), or <paramref name="wait"/> passes (then none).</summary>
        public async Task<IReadOnlyList<string>> NextAsync(TimeSpan wait, TimeProvider time, CancellationToken ct)
        {
            Task signal;
            lock (_dirty) signal = _signal.Task;
            try
            {
                await signal.WaitAsync(wait, time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            lock (_dirty)
            {
                var ids = _dirty.ToList();
                _dirty.Clear();
                if (_signal.Task.IsCompleted) _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return ids;
            }
        }

        public void Dispose() => feed.Remove(this);
    }
}
