using System.Diagnostics;

namespace EdgeAgent.Streaming;

/// <summary>
/// Chooses the H.264 encoder for <c>stream.encoder: auto</c>: a hardware encoder when ffmpeg has it and its
/// device node exists (VA-API on /dev/dri/renderD128), else libx264. Probed once; V4L2 mem2mem and QSV are
/// used when configured explicitly (their device nodes cannot be told apart without opening them).
/// </summary>
public static class EncoderProbe
{
    public const string RenderNode = "/dev/dri/renderD128";

    public static string Resolve(string configured, string ffmpegEncoders, Func<string, bool> deviceExists)
    {
        if (configured != "auto") return configured;
        if (HasEncoder(ffmpegEncoders, "h264_vaapi") && deviceExists(RenderNode)) return "h264_vaapi";
        return "libx264";
    }

    private static bool HasEncoder(string list, string name) =>
        list.Split('\n').Any(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var n, ..] && n == name);

    /// <summary>Runs <c>ffmpeg -hide_banner -encoders</c> and resolves the configured choice.</summary>
    public static async Task<string> ResolveAsync(string configured, CancellationToken ct)
    {
        if (configured != "auto") return configured;
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-encoders" }) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var list = await p.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        return Resolve(configured, list, File.Exists);
    }
}
