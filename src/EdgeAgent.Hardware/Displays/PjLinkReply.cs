using System.Globalization;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Displays;

/// <summary>PJLink error replies.</summary>
public enum PjLinkError
{
    /// <summary>ERR1: undefined command.</summary>
    UndefinedCommand = 1,
    /// <summary>ERR2: out of parameter.</summary>
    OutOfParameter = 2,
    /// <summary>ERR3: unavailable time (warming up, cooling down, standby).</summary>
    UnavailableTime = 3,
    /// <summary>ERR4: projector/display failure.</summary>
    DisplayFailure = 4,
}

public sealed class PjLinkException(string command, PjLinkError error)
    : DeviceException(error == PjLinkError.OutOfParameter ? DeviceErrorKind.BadArgument : DeviceErrorKind.Rejected,
        $"PJLink {command}: ERR{(int)error} ({Describe(error)})")
{
    public PjLinkError Error { get; } = error;

    private static string Describe(PjLinkError e) => e switch
    {
        PjLinkError.UndefinedCommand => "undefined command",
        PjLinkError.OutOfParameter => "out of parameter",
        PjLinkError.UnavailableTime => "unavailable time",
        _ => "display failure",
    };
}

/// <summary>
/// Parsers for everything a PJLink device sends (greeting, responses and their values). Strict: a reply of the
/// wrong shape, length, class or command, with non-digits or out-of-range values, is a
/// <see cref="DeviceProtocolException"/>; the device's own errors are <see cref="PjLinkException"/>.
/// </summary>
public static class PjLinkReply
{
    public const int MaxLine = 136;

    /// <summary>"PJLINK 0" (no authentication) or "PJLINK 1 xxxxxxxx" (random number for the MD5 digest).</summary>
    public static string? ParseGreeting(string line)
    {
        if (line == "PJLINK ERRA") throw new DeviceException(DeviceErrorKind.Authentication, "PJLink authentication failed (ERRA)");
        if (line == "PJLINK 0") return null;
        if (line.Length == 17 && line.StartsWith("PJLINK 1 ", StringComparison.Ordinal) && line[9..].All(char.IsAsciiHexDigit))
            return line[9..];
        throw new DeviceProtocolException($"malformed PJLink greeting '{Shorten(line)}'");
    }

    /// <summary>The value of a response to <c>%{cls}{command}</c>; ERRn values throw <see cref="PjLinkException"/>.</summary>
    public static string ParseResponse(string line, int cls, string command)
    {
        if (line == "PJLINK ERRA") throw new DeviceException(DeviceErrorKind.Authentication, "PJLink authentication failed (ERRA)");
        if (line.Length > MaxLine) throw new DeviceProtocolException($"PJLink response of {line.Length} characters is too long");
        if (line.Length < 7 || line[0] != '%' || line[6] != '=')
            throw new DeviceProtocolException($"malformed PJLink response '{Shorten(line)}'");
        if (line[1] != (char)('0' + cls))
            throw new DeviceProtocolException($"PJLink response class '{line[1]}' does not match request class {cls}");
        if (!string.Equals(line[2..6], command, StringComparison.OrdinalIgnoreCase))
            throw new DeviceProtocolException($"PJLink response for {line[2..6]} while waiting for {command}");
        var value = line[7..];
        if (value.Length == 4 && value.StartsWith("ERR", StringComparison.Ordinal) && value[3] is >= '1' and <= '4')
            throw new PjLinkException(command, (PjLinkError)(value[3] - '0'));
        return value;
    }

    public static DisplayPower ParsePower(string value) => value switch
    {
        "0" => DisplayPower.Off,
        "1" => DisplayPower.On,
        "2" => DisplayPower.Cooling,
        "3" => DisplayPower.Warming,
        _ => throw new DeviceProtocolException($"POWR value '{Shorten(value)}' is not 0..3"),
    };

    private static readonly string[] ErstParts = ["fan", "lamp", "temperature", "cover", "filter", "other"];

    public static DisplayErrorStatus ParseErrorStatus(string value)
    {
        if (value.Length != 6) throw new DeviceProtocolException($"ERST value '{Shorten(value)}' is not 6 digits");
        var levels = new ErrorLevel[6];
        for (var i = 0; i < 6; i++)
        {
            levels[i] = value[i] switch
            {
                '0' => ErrorLevel.Ok,
                '1' => ErrorLevel.Warning,
                '2' => ErrorLevel.Error,
                _ => throw new DeviceProtocolException($"ERST digit '{value[i]}' at {i + 1} is not 0, 1 or 2"),
            };
        }
        // PJLink's order: fan, lamp, temperature, cover open, filter, other.
        return new DisplayErrorStatus([.. ErstParts.Select((part, i) => new DisplayPart(part, levels[i]))]);
    }

    /// <summary>"hours on [hours on ...]" for 1..8 lamps; hours 0..99999, on 0 or 1.</summary>
    public static IReadOnlyList<LampStatus> ParseLamps(string value)
    {
        var parts = value.Split(' ');
        if (parts.Length % 2 != 0 || parts.Length is 0 or > 16)
            throw new DeviceProtocolException($"LAMP value '{Shorten(value)}' is not 1..8 pairs of hours and state");
        var lamps = new List<LampStatus>();
        for (var i = 0; i < parts.Length; i += 2)
        {
            var hours = parts[i];
            if (hours.Length is 0 or > 5 || !hours.All(char.IsAsciiDigit))
                throw new DeviceProtocolException($"LAMP hours '{Shorten(hours)}' is not 1..5 digits");
            var on = parts[i + 1] switch
            {
                "0" => false,
                "1" => true,
                _ => throw new DeviceProtocolException($"LAMP state '{Shorten(parts[i + 1])}' is not 0 or 1"),
            };
            lamps.Add(new LampStatus(int.Parse(hours, CultureInfo.InvariantCulture), on));
        }
        return lamps;
    }

    /// <summary>An input: type 1..9 (RGB, video, digital, storage, network, internal...) and number 1..9 or A..Z.</summary>
    public static bool IsInput(string value) =>
        value.Length == 2 && value[0] is >= '1' and <= '9' && (value[1] is >= '1' and <= '9' || value[1] is >= 'A' and <= 'Z');

    public static string ParseInput(string value) =>
        IsInput(value) ? value : throw new DeviceProtocolException($"INPT value '{Shorten(value)}' is not an input");

    public static IReadOnlyList<string> ParseInputs(string value)
    {
        if (value.Length == 0) return [];
        var inputs = value.Split(' ');
        foreach (var input in inputs) ParseInput(input);
        return inputs;
    }

    /// <summary>AVMT: 31 = video and audio muted; 11 video only, 21 audio only; x0 = off.</summary>
    public static bool ParseAvMute(string value) => value switch
    {
        "31" or "11" or "21" => true,
        "30" or "10" or "20" => false,
        _ => throw new DeviceProtocolException($"AVMT value '{Shorten(value)}' is not 10, 11, 20, 21, 30 or 31"),
    };

    public static int ParseClass(string value) => value switch
    {
        "1" => 1,
        "2" => 2,
        _ => throw new DeviceProtocolException($"CLSS value '{Shorten(value)}' is not 1 or 2"),
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
