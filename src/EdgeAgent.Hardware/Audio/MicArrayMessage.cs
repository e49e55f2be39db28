using System.Globalization;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Audio;

public enum MicArrayMessageKind { Report, Sample, Error }

/// <summary>
/// One frame from a command-string microphone array (the Shure command-string references):
/// <c>&lt; REP DEVICE_AUDIO_MUTE ON &gt;</c>, <c>&lt; REP 03 AUDIO_MUTE ON &gt;</c>, <c>&lt; REP 3 AUDIO_GAIN_HI_RES 1100 &gt;</c>,
/// <c>&lt; REP METER_RATE 00100 &gt;</c>,
/// <c>&lt; SAMPLE 045 042 ... &gt;</c> (levels 000..060 = dBFS + 60), <c>&lt; REP ERR &gt;</c>.
/// </summary>
public sealed record MicArrayMessage(MicArrayMessageKind Kind, int? Channel, string Parameter, string Value, IReadOnlyList<int> Samples)
{
    /// <summary>The channel as the array wrote it ("3" or "03"), or null.</summary>
    public string? ChannelText { get; init; }

    public const int MaxChannel = 64;

    /// <summary>Parses the text between '&lt;' and '&gt;' (the driver splits frames on '&gt;').</summary>
    public static MicArrayMessage Parse(string frame)
    {
        var text = frame.Trim();
        if (!text.StartsWith('<')) throw new DeviceProtocolException($"mic array frame '{Shorten(frame)}' does not start with '<'");
        var words = text[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) throw new DeviceProtocolException("empty mic array frame");
        switch (words[0])
        {
            case "SAMPLE":
                if (words.Length is < 2 or > MaxChannel + 1) throw new DeviceProtocolException($"SAMPLE with {words.Length - 1} levels");
                var levels = new int[words.Length - 1];
                for (var i = 1; i < words.Length; i++)
                {
                    if (words[i].Length != 3 || !words[i].All(char.IsAsciiDigit)) throw new DeviceProtocolException($"SAMPLE level '{Shorten(words[i])}' is not three digits");
                    levels[i - 1] = int.Parse(words[i], CultureInfo.InvariantCulture);
                    if (levels[i - 1] > 60) throw new DeviceProtocolException($"SAMPLE level {levels[i - 1]} is above 060");
                }
                return new MicArrayMessage(MicArrayMessageKind.Sample, null, "SAMPLE", "", levels);
            case "REP":
                if (words is [_, "ERR"]) return new MicArrayMessage(MicArrayMessageKind.Error, null, "ERR", "", []);
                if (words.Length < 3) throw new DeviceProtocolException($"REP frame '{Shorten(frame)}' has no value");
                int? channel = null;
                var at = 1;
                if (words[1].All(char.IsAsciiDigit))
                {
                    if (words[1].Length > 2 || int.Parse(words[1], CultureInfo.InvariantCulture) > MaxChannel)
                        throw new DeviceProtocolException($"REP channel '{Shorten(words[1])}' is out of range");
                    channel = int.Parse(words[1], CultureInfo.InvariantCulture);
                    at = 2;
                }
                if (words.Length < at + 2) throw new DeviceProtocolException($"REP frame '{Shorten(frame)}' has no value");
                var parameter = words[at];
                if (!parameter.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
                    throw new DeviceProtocolException($"REP parameter '{Shorten(parameter)}' is not a parameter name");
                return new MicArrayMessage(MicArrayMessageKind.Report, channel, parameter, string.Join(' ', words[(at + 1)..]), []) { ChannelText = channel is null ? null : words[1] };
            default:
                throw new DeviceProtocolException($"unknown mic array frame '{Shorten(frame)}'");
        }
    }

    public bool ParseOnOff() => Value switch
    {
        "ON" => true,
        "OFF" => false,
        _ => throw new DeviceProtocolException($"{Parameter} value '{Shorten(Value)}' is not ON or OFF"),
    };

    /// <summary>AUDIO_GAIN_HI_RES 0000..1400 is -110.0..+30.0 dB in 0.1 dB steps.</summary>
    public double ParseGainDb()
    {
        if (Value.Length is 0 or > 4 || !Value.All(char.IsAsciiDigit)) throw new DeviceProtocolException($"gain '{Shorten(Value)}' is not 0..1400");
        var raw = int.Parse(Value, CultureInfo.InvariantCulture);
        if (raw > 1400) throw new DeviceProtocolException($"gain {raw} is above 1400");
        return (raw - 1100) / 10.0;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
