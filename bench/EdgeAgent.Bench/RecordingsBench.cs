using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using EdgeAgent.Media.Record;
using EdgeAgent.Recordings;
using EdgeAgent.Simulators.Office;

using static EdgeAgent.Bench.BenchTable;

namespace EdgeAgent.Bench;

/// <summary>
/// Recordings to the office, against the simulated office storage (nginx WebDAV on loopback) with the agent's own parts:
/// rclone's copy against the bandwidth cap (a file of random bytes) and the CPU it takes; OpenSSH's sftp (the copy for an
/// SFTP storage) against the cap, and a copy of it cut halfway and resumed; and a 45-minute 720p lesson
/// (45 one-minute segments at 2.5 Mbit/s + 128 kbit/s AAC) from its end to uploaded: joined, checksummed, copied
/// without a cap, checked on the storage.
/// </summary>
public static class RecordingsBench
{
    public static async Task<List<string>> RunAsync(int capMbps, int capFileMb, int sftpFileMb, int lessonMinutes)
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgeagent-bench-rec-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        using var storage = new WebDavStorage(Path.Combine(dir, "office"));
        await storage.StartAsync();
        var rows = new List<string>();
        try
        {
            // 1. The cap: random bytes (nothing to compress), copied at capMbps.
            var file = Path.Combine(dir, "cap.bin");
            var data = new byte[capFileMb * 1_048_576];
            Random.Shared.NextBytes(data);
            await File.WriteAllBytesAsync(file, data);
            var capped = new Rclone(storage.RcloneConfig, capMbps * 1000);
            var (cpuBefore, clock) = (ChildrenCpuSeconds() + Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, Stopwatch.StartNew());
            await capped.CopyToAsync(file, "office:cap/cap.bin", CancellationToken.None);
            clock.Stop();
            var cpu = ChildrenCpuSeconds() + Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuBefore;
            var mbps = data.Length * 8.0 / clock.Elapsed.TotalSeconds / 1_000_000;
            Console.Error.WriteLine($"[bench] capped copy: {mbps:F2} Mbit/s against {capMbps}, {cpu:F1} CPU s in {clock.Elapsed.TotalSeconds:F1} s");
            rows.Add(Row($"upload at a {capMbps} Mbit/s cap ({capFileMb} MiB of random bytes)", $"{F(mbps)} Mbit/s",
                $"{F(100 * (mbps - capMbps) / capMbps, 1)} % from the cap", $"{F(clock.Elapsed.TotalSeconds, 1)} s"));
            rows.Add(Row("CPU while uploading (rclone and the agent's part)", $"{F(100 * cpu / clock.Elapsed.TotalSeconds, 1)} % of one core",
                $"{F(cpu, 1)} CPU s", $"over {F(clock.Elapsed.TotalSeconds, 1)} s"));

            // 2. SFTP, where the copy is OpenSSH's sftp (it resumes): at the cap, then a copy cut halfway and resumed.
            var sftpFile = Path.Combine(dir, "sftp.bin");
            await File.WriteAllBytesAsync(sftpFile, data.AsMemory(0, Math.Min(data.Length, sftpFileMb * 1_048_576)).ToArray());
            var sftpBytes = new FileInfo(sftpFile).Length;
            using var sftpStorage = new SftpStorage(Path.Combine(dir, "sftp"));
            await sftpStorage.StartAsync();
            var settings = await new Rclone(sftpStorage.RcloneConfig, 0).RemoteAsync("office", CancellationToken.None) ?? throw new InvalidOperationException("no remote office");
            var sftp = SftpResume.For(settings, capMbps * 1000) ?? throw new InvalidOperationException("the SFTP remote cannot resume");
            (cpuBefore, clock) = (ChildrenCpuSeconds() + Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, Stopwatch.StartNew());
            await sftp.SendAsync(sftpFile, Path.Combine(sftpStorage.Root, "cap.bin"), 0, dir, CancellationToken.None);
            clock.Stop();
            cpu = ChildrenCpuSeconds() + Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuBefore;
            mbps = sftpBytes * 8 / clock.Elapsed.TotalSeconds / 1_000_000;
            Console.Error.WriteLine($"[bench] sftp at the cap: {mbps:F2} Mbit/s against {capMbps}, {cpu:F1} CPU s in {clock.Elapsed.TotalSeconds:F1} s");
            rows.Add(Row($"SFTP (OpenSSH's sftp) at a {capMbps} Mbit/s cap ({F(sftpBytes / 1_048_576.0, 0)} MiB)", $"{F(mbps)} Mbit/s",
                $"{F(100 * (mbps - capMbps) / capMbps, 1)} % from the cap; CPU {F(100 * cpu / clock.Elapsed.TotalSeconds, 1)} % of one core", $"{F(clock.Elapsed.TotalSeconds, 1)} s"));

            var resumed = Path.Combine(sftpStorage.Root, "resume.bin");
            var first = sftp.SendAsync(sftpFile, resumed, 0, dir, CancellationToken.None);
            while (!File.Exists(resumed + ".partial") || new FileInfo(resumed + ".partial").Length < sftpBytes / 2) await Task.Delay(100);
            sftpStorage.Kill();
            try
            {
                await first;
                throw new InvalidOperationException("the copy went on without its server");
            }
            catch (IOException)
            {
                // the copy saw the storage go
            }
            var kept = new FileInfo(resumed + ".partial").Length;
            await sftpStorage.StartAsync();
            clock = Stopwatch.StartNew();
            await sftp.SendAsync(sftpFile, resumed, kept, dir, CancellationToken.None);
            clock.Stop();
            var same = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(resumed))) == Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(sftpFile)));
            if (!same) throw new InvalidOperationException("the resumed file differs from the room's");
            Console.Error.WriteLine($"[bench] sftp cut at {kept} of {sftpBytes} bytes, resumed in {clock.Elapsed.TotalSeconds:F1} s, identical");
            rows.Add(Row("SFTP copy cut halfway (sshd killed), resumed once it is back", $"{F(100.0 * kept / sftpBytes, 1)} % not sent again",
                $"second try sent {F((sftpBytes - kept) / 1_048_576.0, 1)} of {F(sftpBytes / 1_048_576.0, 1)} MiB; the file identical (SHA-256)", $"{F(clock.Elapsed.TotalSeconds, 1)} s"));
            sftpStorage.Kill();

            // 3. A whole lesson from its end to uploaded.
            var recordings = Path.Combine(dir, "recordings");
            Directory.CreateDirectory(recordings);
            var make = Stopwatch.StartNew();
            await LessonSegmentsAsync(recordings, lessonMinutes);
            Console.Error.WriteLine($"[bench] {lessonMinutes} min of segments made in {make.Elapsed.TotalSeconds:F0} s");
            var segments = LessonFile.SegmentsOf(recordings, "bench-p1", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1));
            var total = Stopwatch.StartNew();
            var join = Stopwatch.StartNew();
            var joined = await LessonFile.JoinAsync(segments, Path.Combine(recordings, "outgoing"), "bench-p1-20261207-0830", "{}"u8.ToArray(), CancellationToken.None)
                ?? throw new InvalidOperationException("nothing joined");
            join.Stop();
            var sum = Stopwatch.StartNew();
            await using (var stream = File.OpenRead(joined.Mp4Path)) await SHA256.HashDataAsync(stream);
            sum.Stop();
            var copy = Stopwatch.StartNew();
            var uncapped = new Rclone(storage.RcloneConfig, 0);
            await uncapped.CopyToAsync(joined.Mp4Path, "office:lessons/bench-p1-20261207-0830.mp4", CancellationToken.None);
            var there = await uncapped.StatAsync("office:lessons/bench-p1-20261207-0830.mp4", CancellationToken.None);
            copy.Stop();
            total.Stop();
            if (there?.Size != joined.Bytes) throw new InvalidOperationException("the storage's file differs");
            var mib = joined.Bytes / 1_048_576.0;
            Console.Error.WriteLine($"[bench] lesson end → uploaded: {total.Elapsed.TotalSeconds:F1} s (join {join.Elapsed.TotalSeconds:F1}, sha256 {sum.Elapsed.TotalSeconds:F1}, copy {copy.Elapsed.TotalSeconds:F1})");
            rows.Add(Row($"a {lessonMinutes}-minute 720p lesson ({segments.Count} segments, {F(mib, 0)} MiB): lesson end → uploaded, clean link",
                $"{F(total.Elapsed.TotalSeconds, 1)} s", $"join {F(join.Elapsed.TotalSeconds, 1)} s, SHA-256 {F(sum.Elapsed.TotalSeconds, 1)} s",
                $"copy and check {F(copy.Elapsed.TotalSeconds, 1)} s ({F(joined.Bytes * 8 / copy.Elapsed.TotalSeconds / 1_000_000, 0)} Mbit/s)"));
            return rows;
        }
        finally
        {
            storage.Kill();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A lesson's one-minute MPEG-TS segments at 2.5 Mbit/s CBR 720p25 + 128 kbit/s AAC, named as the encoder names them. The
    /// picture is a flat colour padded to the bitrate with filler data: the files are a lesson's size, made in a minute, not 45.
    /// </summary>
    private static async Task LessonSegmentsAsync(string dir, int minutes)
    {
        var work = Path.Combine(dir, "work");
        Directory.CreateDirectory(work);
        var args = new[]
        {
            "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=0x336699:size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", (minutes * 60).ToString(CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "2500k", "-minrate", "2500k", "-maxrate", "2500k", "-bufsize", "2500k", "-x264-params", "nal-hrd=cbr:filler=1",
            "-g", "25", "-c:a", "aac", "-b:a", "128k", "-f", "segment", "-segment_time", "60", "-segment_format", "mpegts", Path.Combine(work, "%03d.ts"),
        };
        using var p = BenchProcesses.Start("ffmpeg", args);
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg made no lesson (exit code {p.ExitCode})");
        var start = DateTime.Now.AddMinutes(-minutes);
        foreach (var (file, i) in Directory.GetFiles(work).Order(StringComparer.Ordinal).Select((f, i) => (f, i)))
            File.Move(file, Path.Combine(dir, $"bench-p1-{start.AddMinutes(i):yyyyMMdd-HHmmss}.ts"));
        Directory.Delete(work);
    }

    /// <summary>CPU seconds of this process's finished children (rclone, once it has exited): /proc/self/stat cutime + cstime.</summary>
    private static double ChildrenCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the name: state is field 3; cutime and cstime are fields 16 and 17 (1-based), here 13 and 14 (0-based from state).
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
    }
}
