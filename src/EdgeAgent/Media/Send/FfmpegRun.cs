using System.Diagnostics;

namespace EdgeAgent.Media.Send;

/// <summary>One life of one ffmpeg process, its <c>-progress</c> lines parsed as they come.</summary>
public sealed class FfmpegRun : ChildRun
{
    private readonly FfmpegProgressParser _parser = new();

    private FfmpegRun(string name, Process process, TimeProvider time) : base(name, process, time)
    {
    }

    /// <summary>The newest progress block, or null before the first.</summary>
    public FfmpegProgress? Latest { get; private set; }
    public event Action<FfmpegProgress>? Progress;

    public static async Task<FfmpegRun> StartAsync(string name, IReadOnlyList<string> args, TimeProvider time) =>
        new(name, await LaunchAsync("ffmpeg", args).ConfigureAwait(false), time);

    protected override void OnOutputLine(string line)
    {
        if (_parser.Feed(line) is not { } block) return;
        var before = Latest;
        Latest = block;
        // The picture is what moves: a camera gone while the sound goes on (a network camera's stream ended, the test
        // sound still playing) is a stall, though the output still grows.
        if (block.Frame > (before?.Frame ?? 0)) Advanced();
        Progress?.Invoke(block);
    }
}
