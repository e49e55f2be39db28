using System.Globalization;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Media.Link;

namespace EdgeAgent.Media.Send;

/// <summary>
/// The uplink's SRT leg during one lesson: its statistics (<see cref="LinkMeter"/>), the latency chosen for it, and the
/// ladder — the <see cref="LadderPolicy"/> asked once a second (<see cref="Tick"/>) which rung the link carries, the
/// <see cref="RungSwitch"/> moving the uplink there at a shared keyframe, every move an event (<c>rung-changed</c>) and
/// counted, the time at each rung kept for the record. When the latency was a first guess (nothing measured the path
/// yet), the connection's first seconds measure it and the uplink is restarted once with the rule's latency.
/// </summary>
public sealed class SendLink : IDisposable
{
    /// <summary>Seconds of connection the first-seconds measurement waits for.</summary>
    public static readonly TimeSpan FirstSeconds = TimeSpan.FromSeconds(5);

    private readonly string _lessonId;
    private readonly IReadOnlyList<Rung> _rungs;
    private readonly RungSwitch? _switch;
    private readonly LadderPolicy? _policy;
    private readonly TimeProvider _time;
    private readonly Action<StreamEvent> _raise;
    private readonly (int Min, int Max) _bounds;
    private readonly Lock _gate = new();
    private readonly double[] _rungSeconds;
    private int _rung, _switches;
    private DateTimeOffset _rungSince;
    private DateTimeOffset? _stoppedAt;
    private string? _pendingReason;
    private bool _provisional;

    public SendLink(string lessonId, IReadOnlyList<Rung> rungs, RungSwitch? rungSwitch, TimeSpan upAfter, SrtLatencyChoice latency, bool provisional,
        (int Min, int Max) bounds, TimeProvider time, Action<StreamEvent> raise, double pathLossPercent = 0)
    {
        _lessonId = lessonId;
        _rungs = rungs;
        _switch = rungSwitch;
        _time = time;
        _raise = raise;
        _bounds = bounds;
        Latency = latency;
        _provisional = provisional;
        Meter = new LinkMeter(sending: true, time);
        _rung = rungSwitch?.Current ?? 0;
        _rungSince = time.GetUtcNow();
        _rungSeconds = new double[rungs.Count];
        if (rungSwitch is not null && rungs.Count > 1)
        {
            _policy = new LadderPolicy(rungs, upAfter, _rung, _rungSince, pathLossPercent);
            rungSwitch.Switched += OnSwitched;
        }
    }

    public LinkMeter Meter { get; }
    public SrtLatencyChoice Latency { get; private set; }
    public int Rung { get { lock (_gate) return _rung; } }
    public IReadOnlyList<Rung> Rungs => _rungs;

    /// <summary>Raised when the first seconds of the connection chose another latency: the uplink must reconnect with it.</summary>
    public event Action? LatencyChanged;

    /// <summary>Once a second while the lesson streams: the ladder's decision, and the first-seconds latency.</summary>
    public void Tick()
    {
        var now = _time.GetUtcNow();
        if (_policy is not null && _switch is not null && _switch.Target == _switch.Current)
        {
            LadderMove? move;
            lock (_gate) move = _policy.Evaluate(now, Meter.Recent(LadderPolicy.Window), Meter.MinRttMs);
            if (move is not null)
            {
                lock (_gate) _pendingReason = move.Reason;
                _switch.Select(move.To);
            }
        }
        if (_provisional && Meter.Recent(FirstSeconds) is { Count: >= 4 } first && first.Where(s => s.RttMs > 0).Select(s => s.RttMs).Order().ToList() is { Count: > 0 } rtts)
        {
            _provisional = false;
            var rtt = rtts[rtts.Count / 2];
            var sent = first.Sum(s => s.Sent);
            var loss = sent == 0 ? 0 : 100.0 * first.Sum(s => s.Lost) / sent;
            var rule = Math.Clamp(SrtLatency.Rule(rtt, loss), _bounds.Min, _bounds.Max);
            if (Math.Abs(rule - Latency.Ms) > Math.Max(40, Latency.Ms * 0.25))
            {
                Latency = new SrtLatencyChoice(rule, string.Create(CultureInfo.InvariantCulture,
                    $"the connection's first seconds: RTT {rtt:0} ms, loss {loss:0.##} % → RTT × {SrtLatency.Factor(loss)}, reconnected with {rule} ms (started with {Latency.Ms} ms: nothing had measured the path)"));
                LatencyChanged?.Invoke();
            }
        }
    }

    private void OnSwitched(int from, int to, long pts)
    {
        var now = _time.GetUtcNow();
        string reason;
        lock (_gate)
        {
            _rungSeconds[from] += (now - _rungSince).TotalSeconds;
            _rungSince = now;
            _rung = to;
            _switches++;
            _policy?.Moved(to, now);
            reason = _pendingReason ?? "asked for";
            _pendingReason = null;
        }
        var direction = to > from ? "down" : "up";
        _raise(new StreamEvent(EventTypes.RungChanged, to > from ? Severity.Warning : Severity.Info,
            $"lesson {_lessonId}: the uplink moved {direction} from {_rungs[from]} to {_rungs[to]}: {reason}"));
    }

    /// <summary>
    /// Moves the uplink one rung down now (a playbook's <c>step-down</c>), for <paramref name="why"/>; the ladder climbs back
    /// when the link allows. What it did, or null without a ladder, on the lowest rung, or with a switch under way.
    /// </summary>
    public string? StepDown(string why)
    {
        if (_switch is null || _rungs.Count < 2 || _switch.Target != _switch.Current) return null;
        var from = _switch.Current;
        if (from >= _rungs.Count - 1) return null;
        lock (_gate) _pendingReason = why;
        _switch.Select(from + 1);
        return $"from {_rungs[from]} to {_rungs[from + 1]}";
    }

    /// <summary>Stops the rung clock (the stream has ended).</summary>
    public void Stop()
    {
        lock (_gate) _stoppedAt ??= _time.GetUtcNow();
    }

    public LiveLinkHealth? Live =>
        Meter.Now is { } n
            ? new LiveLinkHealth(n.RttMs, n.Mbps, n.LossPercent, n.RetransmitPercent, n.DroppedPackets, n.BufferMs, n.BandwidthMbps, n.LatencyMs > 0 ? n.LatencyMs : Latency.Ms,
                _rungs.Count > 1 ? _rungs[Rung].Name : null)
            : null;

    /// <summary>The leg over the lesson for the record; null when it never reported (never connected).</summary>
    public LinkLegFigures? Figures
    {
        get
        {
            if (!Meter.Measured) return null;
            var t = Meter.Totals;
            List<RungTime>? rungs = null;
            int switches;
            lock (_gate)
            {
                switches = _switches;
                if (_rungs.Count > 1)
                {
                    var seconds = (double[])_rungSeconds.Clone();
                    seconds[_rung] += ((_stoppedAt ?? _time.GetUtcNow()) - _rungSince).TotalSeconds;
                    rungs = _rungs.Select(r => new RungTime(r.Name, r.Width, r.Height, r.VideoKbps, Math.Round(seconds[r.Index], 1))).ToList();
                }
            }
            return new LinkLegFigures(Latency.Ms, Latency.Reason, t.RttP50Ms, t.RttP95Ms, t.LossPercent, t.RetransmitPercent, t.DroppedPackets, t.Packets,
                t.BandwidthP50Mbps, null, rungs, switches, t.SecondsWithDrops);
        }
    }

    public void Dispose()
    {
        if (_switch is not null) _switch.Switched -= OnSwitched;
        _switch?.Dispose();
    }
}
