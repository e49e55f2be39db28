using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Hardware.Cameras;
using EdgeAgent.Hardware.Displays;
using EdgeAgent.Hardware.Transport;
using EdgeAgent.Simulators.PjLink;
using EdgeAgent.Simulators.Visca;

// edgeagent-bench devices [--ops N] [--out FILE]: driver round trips against the simulators on loopback.
var ops = 1000;
string? output = null;
for (var i = 1; i < args.Length; i++)
{
    if (args[i] == "--ops") ops = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--out") output = args[++i];
    else if (args[i] == "--seconds") i++;
    else if (args[i] == "--agent") i++;
    else if (args[i] == "--idle-seconds") i++;
    else if (args[i] == "--rooms") i++;
}
if (args.Length == 0 || args[0] is not ("devices" or "telemetry" or "stream" or "two-way" or "fleet" or "weak-link" or "healing" or "recordings" or "office"))
{
    Console.Error.WriteLine("usage: edgeagent-bench devices|telemetry|stream|two-way|fleet|weak-link|healing|recordings|office [--ops N] [--seconds N] [--agent PATH] [--idle-seconds N] [--rooms N,N] [--link MBPS] [--out FILE]");
    return 64;
}
if (args[0] == "office")
{
    var (officeRooms, officeEvents, officeLoads, officePages) = (2000, 10_000, 200, 3);
    for (var i = 1; i < args.Length; i++)
        if (args[i] == "--rooms") officeRooms = int.Parse(args[++i], CultureInfo.InvariantCulture);
        else if (args[i] == "--events") officeEvents = int.Parse(args[++i], CultureInfo.InvariantCulture);
        else if (args[i] == "--loads") officeLoads = int.Parse(args[++i], CultureInfo.InvariantCulture);
        else if (args[i] == "--pages") officePages = int.Parse(args[++i], CultureInfo.InvariantCulture);
    var officeRows = await EdgeAgent.Bench.OfficeBench.RunAsync(officeRooms, officeEvents, officeLoads, officePages);
    var officeText = string.Join('\n', new[]
    {
        $"# The office service at a province's scale: one mosquitto, PostgreSQL (pg_virtualenv), the office in one process ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)",
        "",
        "| measure | result | detail |",
        "|---|---|---|",
    }.Concat(officeRows)) + "\n";
    await Publish(officeText, output, CancellationToken.None);
    return 0;
}
if (args[0] == "recordings")
{
    var (cap, capMb, sftpMb, minutes) = (20, 100, 100, 45);
    for (var i = 1; i < args.Length; i++)
        if (args[i] == "--cap-mbps") cap = int.Parse(args[++i], CultureInfo.InvariantCulture);
        else if (args[i] == "--cap-file-mb") capMb = int.Parse(args[++i], CultureInfo.InvariantCulture);
        else if (args[i] == "--sftp-file-mb") sftpMb = int.Parse(args[++i], CultureInfo.InvariantCulture);
        else if (args[i] == "--lesson-minutes") minutes = int.Parse(args[++i], CultureInfo.InvariantCulture);
    var recRows = await EdgeAgent.Bench.RecordingsBench.RunAsync(cap, capMb, sftpMb, minutes);
    var recText = string.Join('\n', new[]
    {
        $"# Recordings to the office: rclone to nginx WebDAV and OpenSSH sftp to sshd, on loopback ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)",
        "",
        "| measure | result | detail | time |",
        "|---|---|---|---|",
    }.Concat(recRows)) + "\n";
    await Publish(recText, output, CancellationToken.None);
    return 0;
}
if (args[0] == "healing")
{
    var seconds = 40;
    for (var i = 1; i < args.Length; i++)
        if (args[i] == "--seconds") seconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
    var healRows = await EdgeAgent.Bench.HealingBench.RunAsync(seconds);
    var healText = string.Join('\n', new[]
    {
        $"# Self-healing: faults in a live lesson, time until the room is as the lesson wants it ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, devices polled every 2 s, default playbooks)",
        "",
        "| fault | with the playbooks | without (nobody in the room) | lesson time lost |",
        "|---|---|---|---|",
    }.Concat(healRows)) + "\n";
    await Publish(healText, output, CancellationToken.None);
    return 0;
}
if (args[0] == "weak-link")
{
    var seconds = 90;
    double? onlyLink = null;
    for (var i = 1; i < args.Length; i++)
        if (args[i] == "--seconds") seconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
        else if (args[i] == "--link") onlyLink = double.Parse(args[++i], CultureInfo.InvariantCulture);
    var weakRows = await EdgeAgent.Bench.WeakLinkBench.RunAsync(seconds, onlyLink);
    var weakText = string.Join('\n', new[]
    {
        $"# Weak links: a 720p25 lesson through the impairment relay ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, libx264, {seconds} s each, from the first picture)",
        "",
        "| link (rate, loss, RTT) | stream | received Mbit/s | picture standing still, s per 10 min | seconds with packets lost for good (SRT receiver drops), per 10 min | latency p95, ms | time per rung |",
        "|---|---|---|---|---|---|---|",
    }.Concat(weakRows)) + "\n";
    await Publish(weakText, output, CancellationToken.None);
    return 0;
}
if (args[0] == "two-way")
{
    var seconds = 60;
    for (var i = 1; i < args.Length; i++)
        if (args[i] == "--seconds") seconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
    var twoWayRows = await EdgeAgent.Bench.TwoWayBench.RunAsync(seconds, repeats: 5);
    var twoWayText = string.Join('\n', new[]
    {
        $"# Two-way lesson on one box ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, libx264, mpv offscreen)",
        "",
        "| measure | value | | target |",
        "|---|---|---|---|",
    }.Concat(twoWayRows)) + "\n";
    await Publish(twoWayText, output, CancellationToken.None);
    return 0;
}
if (args[0] == "fleet")
{
    var sizes = new List<int> { 500, 2000 };
    for (var i = 1; i < args.Length; i++)
        if (args[i] == "--rooms") sizes = args[++i].Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToList();
    var fleetRows = new List<string>();
    foreach (var n in sizes) fleetRows.AddRange(await EdgeAgent.Bench.FleetBench.RunAsync(n, recordsPerRoom: 5));
    var fleetText = string.Join('\n', new[]
    {
        $"# Fleet: many rooms' telemetry against one loopback mosquitto ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, all rooms in one process)",
        "",
        "| rooms | measure | value |",
        "|---|---|---|",
    }.Concat(fleetRows)) + "\n";
    await Publish(fleetText, output, CancellationToken.None);
    return 0;
}
if (args[0] == "stream")
{
    var seconds = 60;
    for (var i = 1; i < args.Length; i++)
        if (args[i] == "--seconds") seconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
    var streamRows = await EdgeAgent.Bench.StreamBench.RunAsync(seconds, repeats: 5);
    var streamText = string.Join('\n', new[]
    {
        $"# Lesson stream ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, libx264)",
        "",
        "| measure | value | | target |",
        "|---|---|---|---|",
    }.Concat(streamRows)) + "\n";
    await Publish(streamText, output, CancellationToken.None);
    return 0;
}
if (args[0] == "telemetry")
{
    var here = AppContext.BaseDirectory;
    // The idle window runs polls and heartbeats every second: 360 s is an hour of default polls (every 10 s) and
    // 30 hours of default heartbeats (every 300 s).
    var idle = 360;
    // --agent: measure another build of the agent, e.g. the package's (/usr/lib/edgeagent/edgeagent, compiled ahead of time).
    var agentExe = Path.Combine(here, "edgeagent");
    for (var i = 1; i < args.Length; i++)
    {
        if (args[i] == "--agent") agentExe = Path.GetFullPath(args[++i]);
        else if (args[i] == "--idle-seconds") idle = int.Parse(args[++i], CultureInfo.InvariantCulture);
    }
    var telemetryRows = await EdgeAgent.Bench.TelemetryBench.RunAsync(agentExe, Path.Combine(here, "edgeagent-sim"), ops, idle);
    var telemetryText = string.Join('\n', new[]
    {
        $"# Telemetry over a loopback mosquitto ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, agent {agentExe})",
        "",
        "| measure | value | | | |",
        "|---|---|---|---|---|",
    }.Concat(telemetryRows)) + "\n";
    await Publish(telemetryText, output, CancellationToken.None);
    return 0;
}

var rows = new List<string>();
var ct = CancellationToken.None;

await using (var sim = new ViscaCameraSimulator { MoveTime = TimeSpan.Zero })
await using (var camera = new ViscaIpCamera("cam1", new UdpDatagramTransport("127.0.0.1", sim.Port)))
{
    await camera.SetPresetAsync(1, ct);
    await camera.SetPresetAsync(2, ct);
    rows.Add(await Measure("VISCA preset recall (ACK + completion)", ops, n => camera.RecallPresetAsync(n % 2 + 1, ct)));
    rows.Add(await Measure("VISCA pan/tilt position inquiry", ops, _ => camera.GetPositionAsync(ct)));
}
await using (var sim = new PjLinkDisplaySimulator(password: "JBMIAProjectorLink"))
await using (var display = new PjLinkDisplay("display1", new TcpStreamConnector("127.0.0.1", sim.Port, TimeSpan.FromSeconds(2)), "JBMIAProjectorLink"))
{
    rows.Add(await Measure("PJLink power query (connect, auth, POWR ?)", ops, _ => display.GetPowerAsync(ct)));
}

var table = new List<string>
{
    $"# Device driver round trips ({ops} operations each, loopback simulators, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)",
    "",
    "| operation | p50 ms | p99 ms | max ms | ops/s |",
    "|---|---:|---:|---:|---:|",
};
table.AddRange(rows);
var text = string.Join('\n', table) + "\n";
await Publish(text, output, ct);
return 0;

static async Task<string> Measure(string name, int count, Func<int, Task> op)
{
    for (var i = 0; i < Math.Min(50, count); i++) await op(i); // warm-up
    var samples = new double[count];
    var total = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var t = Stopwatch.GetTimestamp();
        await op(i);
        samples[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
    }
    total.Stop();
    Array.Sort(samples);
    double P(double q) => samples[Math.Min(count - 1, (int)Math.Ceiling(q * count) - 1)];
    return string.Create(CultureInfo.InvariantCulture, $"| {name} | {P(0.50):F3} | {P(0.99):F3} | {samples[^1]:F3} | {count / total.Elapsed.TotalSeconds:F0} |");
}

// A results table: on the terminal, and into --out when given.
static async Task Publish(string text, string? output, CancellationToken ct)
{
    Console.Write(text);
    if (output is null) return;
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    await File.WriteAllTextAsync(output, text, ct);
}
