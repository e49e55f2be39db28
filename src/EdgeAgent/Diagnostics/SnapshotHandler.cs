using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using EdgeAgent.Media;

namespace EdgeAgent.Diagnostics;

/// <summary>
/// <c>snapshot</c>: <c>{"camera": "cam1"}</c>, one JPEG frame of the room's video source, base64 in the reply
/// (at most <see cref="MaxJpegBytes"/>; a larger frame is re-encoded smaller). The ffmpeg arguments come from the
/// validated configuration only; the request names a configured camera and nothing else. While a lesson stream
/// runs, the camera belongs to the encoder: the frame is then taken from the end of the segment being recorded,
/// so the stream is not disturbed. <c>{"camera": "partner"}</c> is what the partner display shows in a two-way lesson
/// (the partner classroom, or the slate), taken by the player itself.
/// </summary>
public sealed class SnapshotHandler(AgentOptions options, StreamService streams, Media.Play.PlaybackService playback) : ICommandHandler
{
    public const string Partner = "partner";

    public const int MaxJpegBytes = 256 * 1024;

    public CommandSpec Command => AgentCommands.Snapshot;

    public async Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct)
    {
        var camera = args.Text("camera") ?? "main";
        if (camera == Partner) return await PartnerAsync(ct).ConfigureAwait(false);
        if (camera != "main" && !options.Devices.Any(d => d.Kind == DeviceKind.Camera && d.Id == camera))
            throw new CommandException(ReplyCodes.UnknownDevice, $"no camera '{Printable.Of(camera)}' is configured");

        var segment = RecordingNow();
        var jpeg = await GrabAsync(options.Stream.Width, segment, ct).ConfigureAwait(false);
        if (jpeg.Length > MaxJpegBytes) jpeg = await GrabAsync(640, segment, ct).ConfigureAwait(false);
        if (jpeg.Length > MaxJpegBytes) throw new CommandException(ReplyCodes.DeviceError, $"snapshot of {jpeg.Length} bytes exceeds the {MaxJpegBytes}-byte cap");
        return new JsonObject
        {
            ["camera"] = camera, ["source"] = segment is null ? "camera" : "recording", ["contentType"] = "image/jpeg", ["bytes"] = jpeg.Length, ["jpegBase64"] = Convert.ToBase64String(jpeg),
        };
    }

    private async Task<JsonNode> PartnerAsync(CancellationToken ct)
    {
        if (playback.Current is not { } player || player.Ipc is not { } ipc)
            throw new CommandException(ReplyCodes.BadArgs, "no partner is being played now (a two-way lesson plays one from its window's start)");
        var shot = Path.Combine(playback.Directory, $"snapshot-{Guid.NewGuid():N}.png");
        try
        {
            // A player that has just started, or is changing between the slate and the partner, has no picture for a
            // moment: mpv refuses the screenshot then. It is asked again for a few seconds before that is an answer.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ipc.CommandAsync(TimeSpan.FromSeconds(5), ct, "screenshot-to-file", shot, "video").ConfigureAwait(false);
                    break;
                }
                catch (Media.Play.MpvException) when (attempt < 15)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is Media.Play.MpvException or TimeoutException)
                {
                    throw new CommandException(ReplyCodes.DeviceError, $"the player took no screenshot: {e.Message}");
                }
            }
            if (!File.Exists(shot)) throw new CommandException(ReplyCodes.DeviceError, "the player took no screenshot (playback.video null draws no frames)");
            var jpeg = await GrabAsync(options.Stream.Width, shot, ct, still: true).ConfigureAwait(false);
            if (jpeg.Length > MaxJpegBytes) jpeg = await GrabAsync(640, shot, ct, still: true).ConfigureAwait(false);
            var stats = player.Stats;
            return new JsonObject
            {
                ["camera"] = Partner, ["source"] = stats.State == Media.Play.PlaybackState.Playing ? "partner" : "slate", ["partner"] = player.Partner,
                ["contentType"] = "image/jpeg", ["bytes"] = jpeg.Length, ["jpegBase64"] = Convert.ToBase64String(jpeg),
            };
        }
        finally
        {
            File.Delete(shot);
        }
    }

    /// <summary>The segment the running encoder is writing, if a stream runs and has written one with a second in it.</summary>
    private string? RecordingNow()
    {
        if (streams.Current is not { EncoderPid: not null } stream || stream.Stats.StreamedSeconds < 2) return null;
        var dir = Path.GetFullPath(options.Recording.Directory) + "/";
        return streams.Retention.OpenSegments()
            .Where(f => f.StartsWith(dir, StringComparison.Ordinal) && File.Exists(f) && new FileInfo(f).Length > 0)
            .OrderByDescending(f => new FileInfo(f).LastWriteTimeUtc).FirstOrDefault();
    }

    private async Task<byte[]> GrabAsync(int width, string? segment, CancellationToken ct, bool still = false)
    {
        var s = options.Stream;
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        void Add(params string[] a) { foreach (var x in a) info.ArgumentList.Add(x); }
        Add("-hide_banner", "-loglevel", "error", "-nostdin");
        if (still && segment is not null) Add("-i", segment);
        else if (segment is not null)
        {
            // The newest keyframe near the end of the growing segment.
            Add("-sseof", "-1.5", "-i", segment);
        }
        else
        {
            switch (s.VideoSource)
            {
                case VideoSource.Test:
                    Add("-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"{Words.Of(s.TestPattern)}=size={s.Width}x{s.Height}:rate=1"));
                    break;
                case VideoSource.V4l2:
                    Add("-f", "v4l2", "-i", s.VideoInput!);
                    break;
                case VideoSource.Rtsp:
                    Add("-rtsp_transport", "tcp", "-i", s.VideoInput!);
                    break;
            }
        }
        Add("-frames:v", "1", "-vf", string.Create(CultureInfo.InvariantCulture, $"scale={width}:-2"), "-q:v", "5", "-f", "image2pipe", "-vcodec", "mjpeg", "-");
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CommandException(ReplyCodes.DeviceError, $"cannot run ffmpeg: {e.Message}");
        }
        using var buffer = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(buffer, ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            await copy.ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        if (process.ExitCode != 0 || buffer.Length == 0)
            throw new CommandException(ReplyCodes.DeviceError, $"snapshot failed: {Redaction.Text((await errors.ConfigureAwait(false)).Trim())}");
        return buffer.ToArray();
    }
}
