using System.Text.Json.Serialization;

namespace EdgeAgent.Contract.Vocabulary;

// The configuration's closed vocabularies. In JSON they are the words on the right (the config file, the
// timetable and policy documents, the payloads); in code they are compared as enums, never as strings.

/// <summary>主讲教室 (the teacher's room) or 听讲教室 (the receiving room).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RoomRole>))]
public enum RoomRole
{
    [JsonStringEnumMemberName("main")] Main,
    [JsonStringEnumMemberName("receiving")] Receiving,
}

[JsonConverter(typeof(JsonStringEnumConverter<BrokerProtocol>))]
public enum BrokerProtocol
{
    [JsonStringEnumMemberName("5.0")] V500,
    [JsonStringEnumMemberName("3.1.1")] V311,
}

[JsonConverter(typeof(JsonStringEnumConverter<DeviceKind>))]
public enum DeviceKind
{
    [JsonStringEnumMemberName("camera")] Camera,
    [JsonStringEnumMemberName("display")] Display,
    [JsonStringEnumMemberName("mic-array")] MicArray,
    [JsonStringEnumMemberName("audio-capture")] AudioCapture,
}

[JsonConverter(typeof(JsonStringEnumConverter<DeviceProtocol>))]
public enum DeviceProtocol
{
    [JsonStringEnumMemberName("visca-ip")] ViscaIp,
    [JsonStringEnumMemberName("pjlink")] PjLink,
    [JsonStringEnumMemberName("command-string")] CommandString,
    [JsonStringEnumMemberName("alsa")] Alsa,
}

[JsonConverter(typeof(JsonStringEnumConverter<VideoSource>))]
public enum VideoSource
{
    [JsonStringEnumMemberName("test")] Test,
    [JsonStringEnumMemberName("v4l2")] V4l2,
    [JsonStringEnumMemberName("rtsp")] Rtsp,
}

[JsonConverter(typeof(JsonStringEnumConverter<AudioSource>))]
public enum AudioSource
{
    [JsonStringEnumMemberName("test")] Test,
    [JsonStringEnumMemberName("alsa")] Alsa,
    [JsonStringEnumMemberName("rtsp")] Rtsp,
}

/// <summary>The H.264 encoder of the lesson stream; <c>auto</c> probes the hardware ones and falls back to libx264.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EncoderChoice>))]
public enum EncoderChoice
{
    [JsonStringEnumMemberName("auto")] Auto,
    [JsonStringEnumMemberName("libx264")] Libx264,
    [JsonStringEnumMemberName("h264_vaapi")] H264Vaapi,
    [JsonStringEnumMemberName("h264_qsv")] H264Qsv,
    [JsonStringEnumMemberName("h264_v4l2m2m")] H264V4l2m2m,
}

/// <summary>
/// Where the partner's picture is shown: <c>drm</c> straight to the display (a box with no display server),
/// <c>gpu</c> in a window of a display server, <c>null</c> nowhere (no picture at all), <c>offscreen</c> nowhere but
/// with screenshots (tests, the demo).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<PlaybackVideo>))]
public enum PlaybackVideo
{
    [JsonStringEnumMemberName("drm")] Drm,
    [JsonStringEnumMemberName("gpu")] Gpu,
    [JsonStringEnumMemberName("null")] Null,
    [JsonStringEnumMemberName("offscreen")] Offscreen,
}

/// <summary>The picture of the <c>test</c> video source: a moving one, or a still one each room can be told apart by.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TestPattern>))]
public enum TestPattern
{
    [JsonStringEnumMemberName("testsrc2")] Testsrc2,
    [JsonStringEnumMemberName("smptebars")] Smptebars,
    [JsonStringEnumMemberName("rgbtestsrc")] Rgbtestsrc,
    [JsonStringEnumMemberName("pal75bars")] Pal75bars,
}

/// <summary>Where a room's bookings come from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BookingsSource>))]
public enum BookingsSource
{
    [JsonStringEnumMemberName("config")] Config,
    [JsonStringEnumMemberName("mqtt")] Mqtt,
    [JsonStringEnumMemberName("ical")] Ical,
}

[JsonConverter(typeof(JsonStringEnumConverter<LogLevelName>))]
public enum LogLevelName { Verbose, Debug, Information, Warning, Error, Fatal }

/// <summary>The JSON words of a vocabulary enum, as written in the config file and the documents.</summary>
public static class Words
{
    /// <summary>The word of one member, e.g. <c>RoomRole.Main</c> → "main".</summary>
    public static string Of<T>(T value) where T : struct, Enum
    {
        foreach (var (v, word) in Table<T>.All)
            if (EqualityComparer<T>.Default.Equals(v, value)) return word;
        return value.ToString();
    }

    /// <summary>Every word of a vocabulary, in declaration order.</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Table<T>.All.Select(x => x.Word).ToList();

    /// <summary>The member a word names; false for any other text (case-sensitive, like the config).</summary>
    public static bool TryParse<T>(string? word, out T value) where T : struct, Enum
    {
        foreach (var (v, w) in Table<T>.All)
        {
            if (w == word)
            {
                value = v;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>The words of a vocabulary enum type, or null for any other type (the config loader walks types, not generics).</summary>
    public static IReadOnlyList<string>? For(Type type) =>
        type == typeof(RoomRole) ? All<RoomRole>()
        : type == typeof(BrokerProtocol) ? All<BrokerProtocol>()
        : type == typeof(DeviceKind) ? All<DeviceKind>()
        : type == typeof(DeviceProtocol) ? All<DeviceProtocol>()
        : type == typeof(VideoSource) ? All<VideoSource>()
        : type == typeof(AudioSource) ? All<AudioSource>()
        : type == typeof(EncoderChoice) ? All<EncoderChoice>()
        : type == typeof(BookingsSource) ? All<BookingsSource>()
        : type == typeof(LogLevelName) ? All<LogLevelName>()
        : type == typeof(PlaybackVideo) ? All<PlaybackVideo>()
        : type == typeof(TestPattern) ? All<TestPattern>()
        : null;

    /// <summary>"'x' is not one of a, b, c": the one wording of a bad word everywhere.</summary>
    public static string NotOneOf<T>(string? word) where T : struct, Enum => $"'{word}' is not one of {string.Join(", ", All<T>())}";

    private static class Table<T> where T : struct, Enum
    {
        public static readonly (T Value, string Word)[] All = Enum.GetValues<T>()
            .Select(v => (v, System.Text.Json.JsonSerializer.Serialize(v, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Json.ContractJson.Default.GetTypeInfo(typeof(T))!).Trim('"')))
            .ToArray();
    }
}
