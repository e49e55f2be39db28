using System.Diagnostics;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Media.Send;

/// <summary>
/// Chooses the H.264 encoder for <c>stream.encoder: auto</c>: a hardware encoder when ffmpeg has it and its
/// device node exists (VA-API on /dev/dri/renderD128), else libx264. Probed once; V4L2 mem2mem and QSV are
/// used when configured explicitly (their device nodes cannot be told apart without opening them).
/// </summary>
public static class EncoderProbe
{
    public const string RenderNode = "/dev/dri/renderD128";

    public static EncoderChoice Resolve(EncoderChoice configured, string ffmpegEncoders, Func<string, bool> deviceExists)
    {
        if (configured != EncoderChoice.Auto) return configured;
        if (HasEncoder(ffmpegEncoders, "h264_vaapi") && deviceExists(RenderNode)) return EncoderChoice.H264Vaapi;
        return EncoderChoice.Libx264;
    }

    private static bool HasEncoder(string list, string name) =>
        list.Split('\n').Any(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var n, ..] && n == name);

    /// <summary>Runs <c>ffmpeg -hide_banner -encoders</c> and resolves the configured choice.</summary>
    public static async Task<EncoderChoice> ResolveAsync(EncoderChoice configured, CancellationToken ct)
    {
        if (configured != EncoderChoice.Auto) return configured;
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-encoders" }) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var list = await p.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        return Resolve(configured, list, File.Exists);
    }
}
