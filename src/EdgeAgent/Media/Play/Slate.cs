using System.Globalization;
using EdgeAgent.Kernel;
using EdgeAgent.Media.Send;

namespace EdgeAgent.Media.Play;

/// <summary>
/// The picture on the partner display while the partner classroom is not there: a still image, drawn once per lesson
/// with ffmpeg, saying in Chinese (and English, smaller) that the room waits for its partner, and which. Never a black
/// or frozen frame.
/// </summary>
public static class Slate
{
    public const string BackgroundColor = "0x12355B";

    /// <summary>CJK fonts Debian ships (fonts-wqy-microhei is the package's dependency); the first present is used.</summary>
    private static readonly string[] Fonts =
    [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ];

    public static string? Font => Fonts.FirstOrDefault(File.Exists);

    public static string[] Lines(string partnerSchool, string partnerRoom) =>
    [
        "等待对方教室接入…",
        $"对方教室：{partnerSchool} / {partnerRoom}",
        $"Waiting for the partner classroom: {partnerSchool} / {partnerRoom}",
    ];

    /// <summary>Draws the slate into <paramref name="path"/> (PNG); the lines go through files, so no text is ever parsed as a filter.</summary>
    public static async Task RenderAsync(string path, string partnerSchool, string partnerRoom, int width, int height, CancellationToken ct)
    {
        var dir = Path.GetDirectoryName(path)!;
        PathCheck.Directory(dir, "slate directory");
        Directory.CreateDirectory(dir);
        var inv = CultureInfo.InvariantCulture;
        var font = Font;
        var filters = new List<string>();
        var lines = Lines(partnerSchool, partnerRoom);
        for (var i = 0; i < lines.Length; i++)
        {
            var text = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(path)}-{i}.txt");
            await File.WriteAllTextAsync(text, lines[i], ct).ConfigureAwait(false);
            var size = i == 0 ? height / 10 : height / 22;
            var y = i switch { 0 => "h*0.36", 1 => "h*0.52", _ => "h*0.62" };
            filters.Add(string.Create(inv, $"drawtext=textfile={text}{(font is null ? "" : $":fontfile={font}")}:fontcolor=white:fontsize={size}:x=(w-text_w)/2:y={y}"));
        }
        var args = new[]
        {
            "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", string.Create(inv, $"color=c={BackgroundColor}:s={width}x{height}"),
            "-vf", string.Join(',', filters), "-frames:v", "1", path,
        };
        using var process = await ChildProcesses.StartAsync(ChildProcesses.Info("ffmpeg", args)).ConfigureAwait(false);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0 || !File.Exists(path))
            throw new StreamConfigException($"the slate could not be drawn: {Redaction.Text((await error.ConfigureAwait(false)).Trim())}");
    }
}
