using EdgeAgent.Media.Send;

namespace EdgeAgent.Media;

/// <summary>
/// Directories spliced into ffmpeg specifications (the tee muxer's outputs, drawtext's files) must carry no character
/// with a meaning there: checked once here, for every such path.
/// </summary>
public static class PathCheck
{
    private static readonly char[] Forbidden = ['|', '[', ']', ':', '\\', '\'', '"', '%', ';', '$', '`', ',', '=', '\n', '\r', '\t', '\0'];

    public static void Directory(string dir, string what)
    {
        if (!Path.IsPathRooted(dir) || dir.IndexOfAny(Forbidden) >= 0 || dir.Any(char.IsControl) || dir.Contains("/-", StringComparison.Ordinal))
            throw new StreamConfigException($"{what} '{Contract.Commands.Printable.Of(dir)}' must be an absolute path without | [ ] : \\ quotes % ; $ ` , = or control characters");
    }
}
