using System.Globalization;

namespace EdgeAgent.Media.Send;

/// <summary>One block of ffmpeg's <c>-progress</c> output (key=value lines ending with <c>progress=continue|end</c>).</summary>
public sealed record FfmpegProgress(long Frame, double Fps, double BitrateKbps, long TotalSize, TimeSpan OutTime, long DupFrames, long DropFrames, double Speed, bool End);

/// <summary>Reads <c>-progress</c> lines; returns a block at each <c>progress=</c> line. Unknown keys and "N/A" are ignored.</summary>
public sealed class FfmpegProgressParser
{
    private long _frame, _totalSize, _outTimeUs, _dup, _drop;
    private double _fps, _bitrate, _speed;

    public FfmpegProgress? Feed(string line)
    {
        var eq = line.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) return null;
        var key = line.AsSpan(0, eq).Trim();
        var value = line.AsSpan(eq + 1).Trim();
        switch (key)
        {
            case "frame": Long(value, ref _frame); break;
            case "fps": Double(value, ref _fps); break;
            case "bitrate": Double(value.EndsWith("kbits/s") ? value[..^7] : value, ref _bitrate); break;
            case "total_size": Long(value, ref _totalSize); break;
            case "out_time_us": Long(value, ref _outTimeUs); break;
            case "dup_frames": Long(value, ref _dup); break;
            case "drop_frames": Long(value, ref _drop); break;
            case "speed": Double(value.EndsWith("x") ? value[..^1] : value, ref _speed); break;
            case "progress":
                return new FfmpegProgress(_frame, _fps, _bitrate, _totalSize, TimeSpan.FromMicroseconds(Math.Max(0, _outTimeUs)), _dup, _drop, _speed,
                    value.SequenceEqual("end"));
        }
        return null;
    }

    private static void Long(ReadOnlySpan<char> s, ref long field)
    {
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) field = v;
    }

    private static void Double(ReadOnlySpan<char> s, ref double field)
    {
        if (double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) field = v;
    }
}
