using System.Diagnostics;

namespace EdgeAgent.Simulators.Common;

/// <summary>
/// Faults set from outside while the simulators run (the demo pulls a camera's cable and plugs it back): a named
/// pipe read line by line, <c>DEVICE FAULT</c>, e.g. <c>cam1 no-reply</c> then <c>cam1 none</c>; somebody in the room
/// (<c>display1 power-off</c>: the display's power button, <c>mic1 mute</c>: the mute button); and, with a simulated
/// link, <c>link delay=150,loss=3,rate=0.5</c> (the link falls to half a megabit).
/// </summary>
public static class ControlPipe
{
    private static readonly Dictionary<string, Fault> Words = new(StringComparer.Ordinal)
    {
        ["none"] = Fault.None, ["no-reply"] = Fault.NoReply, ["garbage"] = Fault.Garbage, ["slow"] = Fault.Slow,
        ["error"] = Fault.ErrorReply, ["drop"] = Fault.DropConnection,
    };

    public static void Start(string path, IReadOnlyDictionary<string, FaultPlan> devices, TextWriter log, Action<string>? link = null,
        IReadOnlyDictionary<string, Action>? byHand = null)
    {
        if (!File.Exists(path))
        {
            using var mkfifo = Process.Start("mkfifo", [path]);
            mkfifo.WaitForExit();
        }
        // A thread of its own: opening a pipe blocks until someone writes, and the process may end while it waits.
        var reader = new Thread(() =>
        {
            while (true)
            {
                using var lines = new StreamReader(path); // returns when a writer opens; EOF when it closes
                while (lines.ReadLine() is { } line)
                {
                    if (link is not null && line.StartsWith("link ", StringComparison.Ordinal)) link(line[5..]);
                    else if (byHand?.GetValueOrDefault(line.Trim()) is { } press)
                    {
                        press();
                        log.WriteLine($"[sim] {line.Trim()} (by hand, in the room)");
                    }
                    else Apply(line, devices, log);
                }
            }
        }) { IsBackground = true, Name = "control pipe" };
        reader.Start();
        log.WriteLine($"[sim] faults from {path}: DEVICE FAULT per line ({string.Join(", ", Words.Keys)})");
    }

    internal static void Apply(string line, IReadOnlyDictionary<string, FaultPlan> devices, TextWriter log)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 2 || !devices.TryGetValue(words[0], out var plan) || !Words.TryGetValue(words[1], out var fault))
        {
            log.WriteLine($"[sim] control: ignored '{line}' (write DEVICE FAULT; devices {string.Join(", ", devices.Keys)}; faults {string.Join(", ", Words.Keys)})");
            return;
        }
        if (fault == Fault.None) plan.Clear();
        else plan.Set(fault, errorCode: fault == Fault.ErrorReply ? 1 : 0);
        log.WriteLine($"[sim] {words[0]}: {(fault == Fault.None ? "answers normally again" : $"fault {words[1]}")}");
    }
}
