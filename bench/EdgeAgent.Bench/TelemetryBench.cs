using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Bench;

/// <summary>
/// Telemetry benchmarks against a real mosquitto on loopback: ping round trips next to a plain
/// mosquitto_sub | mosquitto_pub echo, the bytes an idle room sends per day (the broker's $SYS byte count
/// at an accelerated heartbeat), and the agent's RSS after accelerated idle operation.
/// </summary>
public static class TelemetryBench
{
    private static readonly List<Process> Started = [];

    /// <summary>Runs the suite; whatever happens, every process it started (and their children) is stopped.</summary>
    public static async Task<List<string>> RunAsync(string agentExe, string simExe, int pings, int idleSeconds)
    {
        try
        {
            return await RunCoreAsync(agentExe, simExe, pings, idleSeconds);
        }
        finally
        {
            foreach (var p in Enumerable.Reverse(Started))
            {
                try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            }
        }
    }

    private static async Task<List<string>> RunCoreAsync(string agentExe, string simExe, int pings, int idleSeconds)
    {
        var rows = new List<string>();
        var dir = Path.Combine(Path.GetTempPath(), "edgeagent-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        var brokerPort = BenchProcesses.FreeTcpPort();
        using var broker = Start("/usr/sbin/mosquitto", ["-c", WriteBrokerConfig(dir, brokerPort)]);
        await BenchProcesses.WaitForPortAsync(brokerPort);

        // A simulated room with six devices.
        var portsFile = Path.Combine(dir, "ports.json");
        using var sim = Start(simExe, ["--quiet", "--visca-port", "0", "--visca-port", "0", "--visca-port", "0", "--pjlink-port", "0", "--mic-port", "0", "--ports-file", portsFile]);
        while (!File.Exists(portsFile)) await Task.Delay(50);
        var ports = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(portsFile))!;
        var sim2 = Start(simExe, ["--quiet", "--pjlink-port", "0", "--ports-file", portsFile + "2"]);
        while (!File.Exists(portsFile + "2")) await Task.Delay(50);
        var display2 = (int)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(portsFile + "2"))!["pjlink"]!;

        string Config(int pollSeconds, int heartbeatSeconds)
        {
            var config = Path.Combine(dir, $"edgeagent-{pollSeconds}-{heartbeatSeconds}.json");
        var cams = ports["visca"]!.AsArray().Select(p => (int)p!).ToArray();
        File.WriteAllText(config, $$"""
            { "region": "zj-jinhua", "school": "lanxi-wuxi-ps", "room": "room-301", "role": "main",
              "broker": { "host": "127.0.0.1", "port": {{brokerPort}}, "heartbeatSeconds": {{heartbeatSeconds}}, "keepAliveSeconds": 30 },
              "devices": [
                { "id": "cam1", "kind": "camera", "protocol": "visca-ip", "host": "127.0.0.1", "port": {{cams[0]}} },
                { "id": "cam2", "kind": "camera", "protocol": "visca-ip", "host": "127.0.0.1", "port": {{cams[1]}} },
                { "id": "cam3", "kind": "camera", "protocol": "visca-ip", "host": "127.0.0.1", "port": {{cams[2]}} },
                { "id": "display1", "kind": "display", "protocol": "pjlink", "host": "127.0.0.1", "port": {{(int)ports["pjlink"]!}} },
                { "id": "display2", "kind": "display", "protocol": "pjlink", "host": "127.0.0.1", "port": {{display2}} },
                { "id": "mic1", "kind": "mic-array", "protocol": "command-string", "host": "127.0.0.1", "port": {{(int)ports["mic"]!}} }
              ],
              "devicePollSeconds": {{pollSeconds}},
              "stateDirectory": "{{dir}}/state", "logsDirectory": "{{dir}}/logs", "recording": { "directory": "{{dir}}/rec" },
              "logging": { "level": "Warning", "console": false } }
            """);
            return config;
        }

        // Ping is measured against a room at its default pace (polls every 10 s, heartbeat 300 s).
        var agent = Start(agentExe, ["run", "--config", Config(10, 300)]);
        var root = "edu/zj-jinhua/lanxi-wuxi-ps/room-301/edgeagent";

        // 1. ping round trips, and the same client against a plain shell echo in the same run.
        var client = new MqttClientFactory().CreateMqttClient();
        var waiting = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource>();
        string? memoryKey = null, lastMemory = null; // the latest memory sample's ping, and its reply
        client.ApplicationMessageReceivedAsync += e =>
        {
            var key = e.ApplicationMessage.CorrelationData is { } c ? Convert.ToHexString(c) : Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray()).Trim();
            if (waiting.TryRemove(key, out var t))
            {
                if (key == memoryKey) lastMemory = Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray());
                t.TrySetResult();
            }
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort).WithClientId("bench").Build());
        long brokerBytesReceived = -1;
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == "$SYS/broker/bytes/received")
                Interlocked.Exchange(ref brokerBytesReceived, long.Parse(Encoding.ASCII.GetString(e.ApplicationMessage.Payload.ToArray()), CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        };
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic($"{root}/reply/bench").WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic("bench/echo/out").WithAtLeastOnceQoS()).Build());
        await WaitForAgent(client, root, waiting);

        var pingSamples = await Measure(pings, async i =>
        {
            var correlation = BitConverter.GetBytes(i);
            var done = waiting[Convert.ToHexString(correlation)] = new TaskCompletionSource();
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{root}/cmd/ping").WithPayload("{}")
                .WithResponseTopic($"{root}/reply/bench").WithCorrelationData(correlation).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        });

        using var echo = Start("/bin/sh", ["-c", $"mosquitto_sub -h 127.0.0.1 -p {brokerPort} -q 1 -t bench/echo/in | mosquitto_pub -h 127.0.0.1 -p {brokerPort} -q 1 -t bench/echo/out -l"]);
        await Task.Delay(1000); // let the echo pipeline subscribe
        var echoSamples = await Measure(pings, async i =>
        {
            var token = $"echo-{i}";
            var done = waiting[token] = new TaskCompletionSource();
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("bench/echo/in").WithPayload(token).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        });
        rows.Add(Row("`ping` round trip via mosquitto (ms)", pingSamples));
        rows.Add(Row("plain `mosquitto_sub | mosquitto_pub` echo (ms)", echoSamples));
        rows.Add(string.Create(CultureInfo.InvariantCulture, $"| ping p99 / echo p99 | {P(pingSamples, 0.99) / P(echoSamples, 0.99):F2}× | target ≤ 2× and p99 ≤ 50 ms | | |"));

        // 2. Idle bytes per day, from a window with nothing changing (heartbeat every second instead of 300 s):
        // the broker's own count of bytes received ($SYS, updated every second), the agent being its only sender.
        echo.Kill(entireProcessTree: true); // the shell and both ends of its pipeline
        echo.WaitForExit();
        Stop(agent);
        agent.Dispose();
        agent = Start(agentExe, ["run", "--config", Config(1, 1)]);
        await WaitForAgent(client, root, waiting);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic("$SYS/broker/bytes/received")).Build());
        await Task.Delay(3000);
        var (bytes0, clock) = (Interlocked.Read(ref brokerBytesReceived), Stopwatch.StartNew());
        var rss0 = BenchProcesses.Rss(agent.Id);
        // RSS sampled through the window (every tenth of it), to tell a plateau from a leak.
        // The agent's own figures (ping's memory) beside it: the managed heap after the last collection.
        var samples = new List<long>();
        var heaps = new List<string>();
        for (var i = 1; i <= 10; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(idleSeconds / 10.0));
            samples.Add(BenchProcesses.Rss(agent.Id));
            var correlation = BitConverter.GetBytes(-65536 - i);
            memoryKey = Convert.ToHexString(correlation);
            var done = waiting[memoryKey] = new TaskCompletionSource();
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{root}/cmd/ping").WithPayload("{}")
                .WithResponseTopic($"{root}/reply/bench").WithCorrelationData(correlation).Build());
            await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var memory = System.Text.Json.Nodes.JsonNode.Parse(lastMemory!)!["result"]!["memory"];
            heaps.Add(memory is null ? "-" : string.Create(CultureInfo.InvariantCulture,
                $"{(long)memory["gcHeapBytes"]! / 1048576.0:F1}/{(long)memory["gcCommittedBytes"]! / 1048576.0:F1} ({memory["gcCollections"]!.AsArray()[2]})"));
        }
        var perSecond = (Interlocked.Read(ref brokerBytesReceived) - bytes0) / clock.Elapsed.TotalSeconds;
        // Each second of the window holds one heartbeat; keep-alive pings (2 bytes every 30 s) are on top at the default.
        var perHeartbeat = perSecond;
        var perDay = perHeartbeat * 86400 / 300 + 2.0 * 86400 / 30;
        rows.Add(string.Create(CultureInfo.InvariantCulture, $"| idle room, 6 devices: bytes per heartbeat | {perHeartbeat:F0} | | | |"));
        rows.Add(string.Create(CultureInfo.InvariantCulture, $"| idle room: bytes per day at the default 300 s heartbeat | {perDay / 1000:F1} KB | target ≤ 300 KB | | |"));

        // 3. RSS after accelerated idle operation (1 s polls and heartbeats), and the peak over the whole window.
        var rss1 = BenchProcesses.Rss(agent.Id);
        var peak = BenchProcesses.Rss(agent.Id, "VmHWM:");
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| agent RSS after {idleSeconds + 3} s of 1 s polls and heartbeats ({idleSeconds * 10.0 / 3600:F1} h of default polls, {idleSeconds * 300.0 / 3600:F0} h of default heartbeats) | {rss1 / 1048576.0:F1} MB | at the start of the window {rss0 / 1048576.0:F1} MB, peak {peak / 1048576.0:F1} MB | target ≤ 60 MB | |"));
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| agent RSS through the window, every {idleSeconds / 10.0:F0} s (MB) | {string.Join(" ", samples.Select(b => (b / 1048576.0).ToString("F1", CultureInfo.InvariantCulture)))} | | | |"));
        rows.Add($"| managed heap after the last collection / committed, MB (gen 2 collections so far), same times | {string.Join(" · ", heaps)} | | | |");

        await client.DisconnectAsync(new MqttClientDisconnectOptions());
        Stop(agent); Stop(sim); Stop(sim2); Stop(broker);
        agent.Dispose();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        return rows;
    }

    private static async Task WaitForAgent(IMqttClient client, string root, System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> waiting)
    {
        for (var i = 0; i < 600; i++)
        {
            var correlation = BitConverter.GetBytes(-1 - i);
            var done = waiting[Convert.ToHexString(correlation)] = new TaskCompletionSource();
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{root}/cmd/ping").WithPayload("{}")
                .WithResponseTopic($"{root}/reply/bench").WithCorrelationData(correlation).Build());
            if (await Task.WhenAny(done.Task, Task.Delay(200)) == done.Task) return;
        }
        throw new TimeoutException("the agent did not answer ping");
    }

    private static async Task<double[]> Measure(int count, Func<int, Task> op)
    {
        for (var i = 0; i < 20; i++) await op(1_000_000 + i);
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await op(i);
            samples[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(samples);
        return samples;
    }

    private static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static string Row(string name, double[] s) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | p50 {P(s, 0.5):F2} | p99 {P(s, 0.99):F2} | max {s[^1]:F2} | {s.Length} requests |");


    private static string WriteBrokerConfig(string dir, int port)
    {
        var path = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(path, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\nmax_queued_messages 0\nset_tcp_nodelay true\nsys_interval 1\n");
        return path;
    }

    private static Process Start(string exe, string[] args)
    {
        var p = BenchProcesses.Start(exe, args);
        Started.Add(p);
        return p;
    }

    private static void Stop(Process p)
    {
        BenchProcesses.Signal(p, "TERM");
        if (!p.HasExited && !p.WaitForExit(10_000)) p.Kill(entireProcessTree: true);
    }


}
