using System.Diagnostics;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// Pictures compared the way a person glancing at a screen would: each scaled by ffmpeg to 16×9 RGB, then the mean
/// difference per channel (0-255). A picture of the test pattern compressed and sent differs from the pattern by a few;
/// from the slate or from another pattern by tens.
/// </summary>
public static class Pictures
{
    public static Task<byte[]> OfFileAsync(string path) => SignatureAsync(["-i", path]);

    public static Task<byte[]> OfBytesAsync(byte[] image, string dir)
    {
        var file = Path.Combine(dir, $"picture-{Guid.NewGuid():N}.jpg");
        File.WriteAllBytes(file, image);
        return OfFileAsync(file);
    }

    /// <summary>One frame of a lavfi source such as "smptebars=size=320x180".</summary>
    public static Task<byte[]> OfPatternAsync(string lavfi) => SignatureAsync(["-f", "lavfi", "-i", lavfi]);

    public static double Difference(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
    }

    private static async Task<byte[]> SignatureAsync(string[] input)
    {
        var info = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-nostdin" }.Concat(input)
                     .Concat(["-frames:v", "1", "-vf", "scale=16:9:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]))
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        using var output = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(output);
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        await copy;
        Assert.True(p.ExitCode == 0 && output.Length == 16 * 9 * 3, $"ffmpeg: {await error}");
        return output.ToArray();
    }
}
