using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// What a receiver got, read back from the MPEG-TS it wrote: every video frame (its wall-clock stamp, size, keyframe or
/// not) and audio packet as ffprobe sees them, the errors a full decode reports, and the continuity counters of the TS
/// packets themselves. The senders stamp frames with the wall clock, so a frame's stamp says when it was captured.
/// </summary>
public sealed record ReceivedStream(IReadOnlyList<ReceivedStream.Frame> Video, IReadOnlyList<double> AudioPts, IReadOnlyList<string> DecodeErrors, int ContinuityErrors)
{
    public sealed record Frame(double Pts, int Width, int Height, bool Key);

    public static async Task<ReceivedStream> ReadAsync(string file)
    {
        var frames = await RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time,width,height,key_frame", "-of", "json", file]);
        var video = (JsonNode.Parse(frames)!["frames"]?.AsArray() ?? [])
            .Where(f => f?["pts_time"] is not null)
            .Select(f => new Frame(double.Parse((string)f!["pts_time"]!, CultureInfo.InvariantCulture), (int)f["width"]!, (int)f["height"]!, (int)f["key_frame"]! == 1))
            .ToList();
        var packets = await RunAsync("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "packet=pts_time", "-of", "json", file]);
        var audio = (JsonNode.Parse(packets)!["packets"]?.AsArray() ?? [])
            .Where(p => p?["pts_time"] is not null).Select(p => double.Parse((string)p!["pts_time"]!, CultureInfo.InvariantCulture)).ToList();
        var decode = await RunAsync("ffmpeg", ["-hide_banner", "-nostdin", "-v", "error", "-i", file, "-f", "null", "-"], stderr: true);
        return new ReceivedStream(video, audio, decode.Split('\n', StringSplitOptions.RemoveEmptyEntries), Continuity(file));
    }

    /// <summary>The longest stretch between consecutive stamps in <paramref name="from"/>..<paramref name="to"/> (wall-clock seconds).</summary>
    public static double LongestGap(IReadOnlyList<double> stamps, double from = double.MinValue, double to = double.MaxValue)
    {
        var inside = stamps.Where(s => s >= from && s <= to).ToList();
        return inside.Count < 2 ? double.PositiveInfinity : inside.Zip(inside.Skip(1), (a, b) => b - a).Max();
    }

    /// <summary>
    /// The video PES packets of a TS file that ended (the next one started): how many, how many left their length out
    /// (0: "until the next one"), and how many declared a length other than what they carried.
    /// </summary>
    public static (int Pes, int WithoutLength, int Mismatched) VideoPesLengths(string file)
    {
        var data = File.ReadAllBytes(file);
        int? videoPid = null;
        int declared = -1, carried = 0, pes = 0, without = 0, mismatched = 0;
        for (var off = 0; off + 188 <= data.Length; off += 188)
        {
            if (data[off] != 0x47 || (data[off + 3] & 0x10) == 0) continue;
            var pid = ((data[off + 1] & 0x1F) << 8) | data[off + 2];
            var start = off + 4 + ((data[off + 3] & 0x20) != 0 ? 1 + data[off + 4] : 0);
            var payload = off + 188 - start;
            if (payload <= 0) continue;
            var unitStart = (data[off + 1] & 0x40) != 0;
            if (unitStart && payload >= 6 && data[start] == 0 && data[start + 1] == 0 && data[start + 2] == 1 && data[start + 3] is >= 0xE0 and <= 0xEF)
            {
                videoPid ??= pid;
                if (pid != videoPid) continue;
                if (declared >= 0)
                {
                    pes++;
                    if (declared == 0) without++;
                    else if (declared != carried) mismatched++;
                }
                declared = (data[start + 4] << 8) | data[start + 5];
                carried = payload - 6;
            }
            else if (pid == videoPid && declared >= 0) carried += payload;
        }
        return (pes, without, mismatched);
    }

    /// <summary>TS packets whose continuity counter does not follow the previous one of the same PID.</summary>
    private static int Continuity(string file)
    {
        var data = File.ReadAllBytes(file);
        var last = new Dictionary<int, int>();
        var errors = 0;
        for (var off = 0; off + 188 <= data.Length; off += 188)
        {
            if (data[off] != 0x47) continue;
            var pid = ((data[off + 1] & 0x1F) << 8) | data[off + 2];
            if (pid == 0x1FFF || (data[off + 3] & 0x10) == 0) continue;
            var cc = data[off + 3] & 0x0F;
            if (last.TryGetValue(pid, out var before) && cc != ((before + 1) & 0x0F)) errors++;
            last[pid] = cc;
        }
        return errors;
    }

    private static async Task<string> RunAsync(string program, string[] args, bool stderr = false)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return stderr ? await error : await output;
    }
}
