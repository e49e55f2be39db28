using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using EdgeAgent.Simulators.Common;

namespace EdgeAgent.Simulators.PjLink;

public enum GreetingFault { None, Missing, Malformed }

/// <summary>
/// A projector or display speaking PJLink class 1 or 2 on TCP 127.0.0.1. Power has real warm-up and cool-down
/// (inputs and AV mute answer ERR3 meanwhile), lamp hours grow while on, ERST reports injected fan, lamp,
/// temperature, cover, filter and other faults. With a password it greets "PJLINK 1 random" and checks the
/// MD5 digest on the first command; a wrong one gets "PJLINK ERRA" and the connection is closed.
/// </summary>
public sealed class PjLinkDisplaySimulator : TcpSimulator
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly List<string> _received = [];
    private DateTimeOffset _powerChangedAt;
    private bool _targetOn;
    private TimeSpan _lampOnBefore = TimeSpan.FromHours(1234);

    public PjLinkDisplaySimulator(int port = 0, string? password = null, int pjLinkClass = 1, SimulatorLog? log = null,
        TimeProvider? time = null, string name = "display")
        : base(port, log, name)
    {
        Password = password;
        Class = pjLinkClass;
        _time = time ?? TimeProvider.System;
        _powerChangedAt = _time.GetUtcNow() - TimeSpan.FromHours(1);
    }

    public string? Password { get; }
    public int Class { get; }
    public TimeSpan WarmupTime { get; set; } = TimeSpan.FromMilliseconds(300);
    public TimeSpan CooldownTime { get; set; } = TimeSpan.FromMilliseconds(300);
    public GreetingFault Greeting { get; set; }
    public string Input { get; private set; } = "31";
    public IReadOnlyList<string> Inputs { get; set; } = ["11", "31", "32", "33", "51"];
    public bool AvMuted { get; private set; }
    /// <summary>ERST digits: fan, lamp, temperature, cover, filter, other (0 ok, 1 warning, 2 error).</summary>
    public string ErrorStatus { get; set; } = "000000";
    /// <summary>Extra lamps beyond the first, as (hours, on) pairs; a dual-lamp projector has one.</summary>
    public IReadOnlyList<(int Hours, bool On)> ExtraLamps { get; set; } = [];
    public string DisplayName { get; set; } = "Room display";

    /// <summary>Every command line received (without a digest), in order.</summary>
    public IReadOnlyList<string> Received { get { lock (_gate) return _received.ToList(); } }

    /// <summary>0 off, 1 on, 2 cooling, 3 warming, as PJLink reports it now.</summary>
    public int PowerState
    {
        get
        {
            lock (_gate)
            {
                var since = _time.GetUtcNow() - _powerChangedAt;
                return _targetOn ? (since < WarmupTime ? 3 : 1) : (since < CooldownTime ? 2 : 0);
            }
        }
    }

    /// <summary>Somebody with the remote control: another input, or the picture muted.</summary>
    public void PressRemote(string? input = null, bool? avMute = null)
    {
        lock (_gate)
        {
            if (input is not null) Input = input;
            if (avMute is { } m) AvMuted = m;
        }
    }

    /// <summary>Sets power at once, skipping warm-up (test setup).</summary>
    public void ForcePower(bool on)
    {
        lock (_gate)
        {
            _targetOn = on;
            _powerChangedAt = _time.GetUtcNow() - TimeSpan.FromHours(1);
        }
    }

    public int LampHours
    {
        get
        {
            lock (_gate)
            {
                var on = _targetOn ? _time.GetUtcNow() - _powerChangedAt : TimeSpan.Zero;
                return (int)(_lampOnBefore + on).TotalHours;
            }
        }
    }

    protected override async Task HandleAsync(NetworkStream stream, CancellationToken ct)
    {
        if (Faults.Take() is Fault.NoReply || Greeting == GreetingFault.Missing)
        {
            Log.Write(Name, "connection accepted, no greeting (fault)");
            await Task.Delay(Timeout.Infinite, ct);
            return;
        }
        string? random = null;
        if (Greeting == GreetingFault.Malformed) await Send(stream, "PJLINK X", ct);
        else if (Password is null) await Send(stream, "PJLINK 0", ct);
        else
        {
            random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            await Send(stream, $"PJLINK 1 {random}", ct);
        }

        var reader = new StreamReader(stream, Encoding.ASCII);
        var first = true;
        while (!ct.IsCancellationRequested)
        {
            var line = await ReadLineAsync(reader, ct);
            if (line is null) return;
            if (first && random is not null)
            {
                var expected = Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(random + Password)));
                if (line.Length < 32 || line[..32] != expected)
                {
                    Log.Write(Name, $"bad digest in '{line}' -> ERRA");
                    await Send(stream, "PJLINK ERRA", ct);
                    return;
                }
                line = line[32..];
            }
            first = false;
            lock (_gate) _received.Add(line);
            Log.Write(Name, line);

            switch (Faults.Take())
            {
                case Fault.NoReply: continue;
                case Fault.DropConnection: return;
                case Fault.Garbage: await Send(stream, "%1POWR=\u0001\u0002garbage", ct); continue;
                case Fault.Slow: await Task.Delay(Faults.SlowDelay, ct); break;
                case Fault.Held: await Faults.WaitReleasedAsync(ct); break;
                case Fault.ErrorReply:
                    if (line.Length >= 6) await Send(stream, $"{line[..6]}=ERR{Faults.ErrorCode}", ct);
                    continue;
            }
            await Send(stream, Answer(line), ct);
        }
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken ct)
    {
        var sb = new StringBuilder();
        var buffer = new char[1];
        while (true)
        {
            var n = await reader.ReadAsync(buffer, ct);
            if (n == 0) return null;
            if (buffer[0] == '\r') return sb.ToString();
            if (sb.Length > 200) return sb.ToString();
            sb.Append(buffer[0]);
        }
    }

    /// <summary>The reply to one command line such as "%1POWR 1" or "%2SNUM ?".</summary>
    public string Answer(string line)
    {
        if (line.Length < 7 || line[0] != '%' || line[6] != ' ') return "PJLINK ERR1"; // not a command at all
        var cls = line[1] - '0';
        var head = line[..6];
        var command = line[2..6].ToUpperInvariant();
        var parameter = line[7..];
        if (cls < 1 || cls > Class) return $"{head}=ERR1";
        var query = parameter == "?";
        string Ok(Action apply) { apply(); return $"{head}=OK"; }

        var busy = PowerState is 2 or 3;
        return command switch
        {
            "POWR" when query => $"{head}={PowerState}",
            "POWR" when parameter is "1" => PowerState == 2 ? $"{head}=ERR3" : Ok(() => SetPower(true)),
            "POWR" when parameter is "0" => PowerState == 3 ? $"{head}=ERR3" : Ok(() => SetPower(false)),
            "INPT" when query => PowerState == 1 ? $"{head}={Input}" : $"{head}=ERR3",
            "INPT" => busy || PowerState == 0 ? $"{head}=ERR3" : Inputs.Contains(parameter) ? Ok(() => Input = parameter) : $"{head}=ERR2",
            "INST" when query => $"{head}={string.Join(' ', Inputs)}",
            "AVMT" when query => PowerState == 1 ? $"{head}={(AvMuted ? "31" : "30")}" : $"{head}=ERR3",
            "AVMT" when parameter is "31" or "30" => busy || PowerState == 0 ? $"{head}=ERR3" : Ok(() => AvMuted = parameter == "31"),
            "ERST" when query => $"{head}={ErrorStatus}",
            "LAMP" when query => $"{head}={string.Join(' ', new[] { $"{LampHours} {(PowerState == 1 ? 1 : 0)}" }.Concat(ExtraLamps.Select(l => $"{l.Hours} {(l.On ? 1 : 0)}")))}",
            "NAME" when query => $"{head}={DisplayName}",
            "INF1" when query => $"{head}=EDGESIM",
            "INF2" when query => $"{head}=Classroom Projector X1",
            "INFO" when query => $"{head}=simulated by edgeagent-sim",
            "CLSS" when query => $"{head}={Class}",
            "SNUM" when query && cls == 2 => $"{head}=SIM0001234",
            "SVER" when query && cls == 2 => $"{head}=1.0.7",
            "POWR" or "INPT" or "AVMT" => $"{head}=ERR2",
            _ => $"{head}=ERR1",
        };
    }

    private void SetPower(bool on)
    {
        lock (_gate)
        {
            if (_targetOn == on) return;
            if (_targetOn) _lampOnBefore += _time.GetUtcNow() - _powerChangedAt;
            _targetOn = on;
            _powerChangedAt = _time.GetUtcNow();
        }
    }

    private static async Task Send(NetworkStream stream, string line, CancellationToken ct) =>
        await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r"), ct);
}
