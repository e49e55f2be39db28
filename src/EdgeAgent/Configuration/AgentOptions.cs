using EdgeAgent.Client.Broker;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Configuration;

/// <summary>
/// The whole agent configuration, bound from one JSON file (camelCase keys).
/// Validated by <see cref="AgentOptionsValidator"/>; unknown keys are reported by <see cref="ConfigLoader"/>.
/// </summary>
public sealed class AgentOptions
{
    /// <summary>Region code, first segment of the MQTT topic root, e.g. "zj-jinhua".</summary>
    public string Region { get; set; } = "";
    /// <summary>School code, e.g. "lanxi-wuxi-ps".</summary>
    public string School { get; set; } = "";
    /// <summary>Room code within the school, e.g. "room-301".</summary>
    public string Room { get; set; } = "";
    /// <summary>main (主讲教室) or receiving (听讲教室).</summary>
    [System.Text.Json.Serialization.JsonRequired]
    public RoomRole Role { get; set; }

    public BrokerOptions Broker { get; set; } = new();
    public List<DeviceOptions> Devices { get; set; } = [];
    public GpioOptions? Gpio { get; set; }
    public StreamOptions Stream { get; set; } = new();
    public PlaybackOptions Playback { get; set; } = new();
    public RecordingOptions Recording { get; set; } = new();
    public LessonOptions Lessons { get; set; } = new();
    public ComplianceOptions Compliance { get; set; } = new();
    public PlaybookOptions Playbooks { get; set; } = new();
    public UpdateOptions Update { get; set; } = new();

    /// <summary>Holds state.db (SQLite, WAL). systemd's StateDirectory= is /var/lib/edgeagent.</summary>
    public string StateDirectory { get; set; } = "/var/lib/edgeagent";
    /// <summary>Rolling JSON log files. systemd's LogsDirectory= is /var/log/edgeagent.</summary>
    public string LogsDirectory { get; set; } = "/var/log/edgeagent";
    public LoggingOptions Logging { get; set; } = new();

    /// <summary>Seconds between health polls of each device unless the device sets its own.</summary>
    public int DevicePollSeconds { get; set; } = 10;

    /// <summary>The room's address in the topic tree.</summary>
    public RoomAddress Address => new(Region, School, Room);
}

/// <summary>One classroom device. Which fields apply depends on <see cref="Kind"/> and <see cref="Protocol"/>.</summary>
public sealed class DeviceOptions
{
    public string Id { get; set; } = "";
    public DeviceKind Kind { get; set; }
    public DeviceProtocol Protocol { get; set; }
    public string? Host { get; set; }
    public int? Port { get; set; }
    /// <summary>PJLink password; null when the display has authentication off.</summary>
    public string? Password { get; set; }
    /// <summary>PTZ preset names to preset numbers, e.g. { "teacher": 1, "students": 2 }.</summary>
    public Dictionary<string, int>? Presets { get; set; }
    /// <summary>Display input used for lessons, e.g. "31" (PJLink HDMI 1).</summary>
    public string? LessonInput { get; set; }
    /// <summary>ALSA device for audio-capture, e.g. "hw:1,0".</summary>
    public string? AlsaDevice { get; set; }
    public int? PollSeconds { get; set; }
    public int TimeoutMs { get; set; } = 1000;
}

/// <summary>GPIO lines on the box: on-air light, lesson button, display power relay.</summary>
public sealed class GpioOptions
{
    /// <summary>GPIO chip number (/dev/gpiochipN).</summary>
    public int Chip { get; set; }
    public GpioPinOptions? OnAirLight { get; set; }
    public GpioPinOptions? LessonButton { get; set; }
    public GpioPinOptions? DisplayRelay { get; set; }
    /// <summary>Relays in devices' mains, by device id, for a playbook's power cycle (powered while the line is "on").</summary>
    public Dictionary<string, GpioPinOptions>? PowerRelays { get; set; }
    public int DebounceMs { get; set; } = 50;
}

public sealed class GpioPinOptions
{
    public int Pin { get; set; } = -1;
    public bool ActiveLow { get; set; }
}

/// <summary>What the lesson stream is made of. Typed values only: nothing here is passed through a shell.</summary>
public sealed class StreamOptions
{
    public VideoSource VideoSource { get; set; } = VideoSource.Test;
    /// <summary>The picture of the <c>test</c> source: moving (testsrc2), or a still pattern that tells rooms apart.</summary>
    public TestPattern TestPattern { get; set; } = TestPattern.Testsrc2;
    /// <summary>V4L2 device path (/dev/video0) or RTSP URL, depending on <see cref="VideoSource"/>.</summary>
    public string? VideoInput { get; set; }
    /// <summary>A second picture for when the first dies (a playbook's <c>switch-source</c>): test, v4l2 or rtsp; null: none.</summary>
    public VideoSource? BackupVideoSource { get; set; }
    /// <summary>The backup's V4L2 device path or RTSP URL.</summary>
    public string? BackupVideoInput { get; set; }
    public AudioSource AudioSource { get; set; } = AudioSource.Test;
    public string? AudioInput { get; set; }
    public int Width { get; set; } = 1280;
    public int Height { get; set; } = 720;
    public int Fps { get; set; } = 25;
    public int VideoBitrateKbps { get; set; } = 2500;
    public int AudioBitrateKbps { get; set; } = 128;
    /// <summary>Seconds between keyframes: a receiver or a restarted uplink can join at most this late.</summary>
    public int GopSeconds { get; set; } = 1;
    public EncoderChoice Encoder { get; set; } = EncoderChoice.Auto;
    /// <summary>
    /// srt://host:port?streamid=... or rtmp://host/app/key; empty means record only. May name <c>{region}</c>,
    /// <c>{school}</c> and <c>{room}</c>, filled from this room when the configuration is loaded.
    /// </summary>
    public string? UplinkUrl { get; set; }
    /// <summary>
    /// Where the partner classroom's stream is played from in a two-way lesson: a template naming <c>{region}</c>,
    /// <c>{school}</c>, <c>{room}</c> (this room) and <c>{partnerSchool}</c>, <c>{partnerRoom}</c> (the booking's
    /// partner, validated codes), e.g. a county relay <c>srt://relay:8890?streamid=#!::r=live/{partnerSchool}/{partnerRoom},m=request</c>;
    /// or a fixed URL. Empty: lessons send and record only.
    /// </summary>
    public string? PartnerUrl { get; set; }
    /// <summary>These options with the backup video source in place of the main one (null without a backup).</summary>
    public StreamOptions? WithBackupVideo()
    {
        if (BackupVideoSource is not { } backup) return null;
        var copy = (StreamOptions)MemberwiseClone();
        copy.VideoSource = backup;
        copy.VideoInput = BackupVideoInput;
        copy.BackupVideoSource = null;
        copy.BackupVideoInput = null;
        return copy;
    }

    /// <summary>The uplink, parsed (null when none is configured or the URL is invalid: validation says which).</summary>
    public MediaEndpoint? Uplink => string.IsNullOrEmpty(UplinkUrl) ? null : MediaEndpoint.TryParse(UplinkUrl, out _);
    /// <summary>Host measured by the network probes (iperf3 endpoint).</summary>
    public string? IngestHost { get; set; }
    /// <summary>A process whose progress has not moved for this long is killed and restarted.</summary>
    public int StallSeconds { get; set; } = 10;
    /// <summary>The encoder is given up (stream-failed) after this many restarts in a row without a healthy minute.</summary>
    public int MaxRestarts { get; set; } = 5;
    /// <summary>Cap of the encoder's restart backoff (1 s doubling, with jitter).</summary>
    public int RestartMaxSeconds { get; set; } = 30;
    /// <summary>Cap of the uplink's retry delay; kept short so that a returning ingest server gets the stream within seconds.</summary>
    public double UplinkRetryMaxSeconds { get; set; } = 1;
    /// <summary>Time a stopping ffmpeg gets to finish its segment after SIGINT before it is killed.</summary>
    public int StopTimeoutSeconds { get; set; } = 10;
    /// <summary>The adaptive ladder of an SRT uplink.</summary>
    public LadderOptions Ladder { get; set; } = new();
    /// <summary>A fixed SRT latency for both legs; null: chosen at each lesson's start from the measured path (RTT × 3…6 by loss).</summary>
    public int? SrtLatencyMs { get; set; }
    /// <summary>Bounds of the SRT latency chosen from the path.</summary>
    public int SrtLatencyMinMs { get; set; } = 80;
    public int SrtLatencyMaxMs { get; set; } = 4000;
}

/// <summary>
/// The rungs an SRT uplink moves between. The top rung is the stream itself (<c>stream.width</c>, <c>height</c>,
/// <c>videoBitrateKbps</c>, what is recorded); <see cref="Rungs"/> lists the lower ones, best first (null: the same size
/// at 48 % of the bitrate, then 360 lines at 10 % (at most 250 kbit/s) with audio at up to 48 kbit/s).
/// </summary>
public sealed class LadderOptions
{
    public bool Enabled { get; set; } = true;
    public List<RungOptions>? Rungs { get; set; }
    /// <summary>Seconds without congestion before the uplink tries a higher rung.</summary>
    public int UpAfterSeconds { get; set; } = 60;
}

public sealed class RungOptions
{
    public int Width { get; set; }
    public int Height { get; set; }
    public int VideoBitrateKbps { get; set; }
    /// <summary>null: <c>stream.audioBitrateKbps</c>.</summary>
    public int? AudioBitrateKbps { get; set; }
}

/// <summary>How the partner classroom is shown and heard in a two-way lesson (the player is mpv).</summary>
public sealed class PlaybackOptions
{
    public PlaybackVideo Video { get; set; } = PlaybackVideo.Drm;
    /// <summary>ALSA device of the room's speakers, e.g. "hw:0,3" or "default"; "none" plays no sound.</summary>
    public string AudioDevice { get; set; } = "default";
    /// <summary>The display that shows the partner (a device id); null: the room's displays keep their lesson input.</summary>
    public string? Display { get; set; }
    /// <summary>The input of <see cref="Display"/> that carries the box's output, e.g. "32" (PJLink HDMI 2).</summary>
    public string? DisplayInput { get; set; }
    /// <summary>The speakers' level for the partner's voice, set when the lesson starts (0-130 %).</summary>
    public int VolumePercent { get; set; } = 100;
    /// <summary>partner-missing is raised when nothing has come from the partner this long after the window's start.</summary>
    public int PartnerWaitSeconds { get; set; } = 20;
    /// <summary>The partner is lost (the slate comes back) when its stream has not moved for this long.</summary>
    public double PartnerLostSeconds { get; set; } = 1.5;
    /// <summary>A player that shows no new frame this long while the partner's stream flows is restarted.</summary>
    public int StallSeconds { get; set; } = 5;
    /// <summary>The player is given up (player-failed) after this many restarts in a row.</summary>
    public int MaxRestarts { get; set; } = 10;
}

/// <summary>The self-healing playbooks (<c>edgeagent.playbooks/1</c>).</summary>
public sealed class PlaybookOptions
{
    /// <summary>Off: faults are reported and nothing is tried.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>A playbooks document replacing the built-in one (the office's <c>config/playbooks</c> replaces both).</summary>
    public string? File { get; set; }
}

/// <summary>Remote update (<c>config/update</c>): the agent asks, the root updater (<c>edgeagent-update.service</c>) installs.</summary>
public sealed class UpdateOptions
{
    /// <summary>The ring this room is in, by name; null: the first ring of the office's policy whose selector holds for the room.</summary>
    public string? Ring { get; set; }
    /// <summary>Where the agent leaves its request and its ready mark for the updater; null: <c>{stateDirectory}/update</c>.</summary>
    public string? Directory { get; set; }
    /// <summary>Where the root updater writes what it did (read at start).</summary>
    public string ResultFile { get; set; } = "/var/lib/edgeagent-update/result";
}

public sealed class RecordingOptions
{
    public string Directory { get; set; } = "/var/lib/edgeagent/recordings";
    public int SegmentSeconds { get; set; } = 60;
    public long QuotaBytes { get; set; } = 50L * 1024 * 1024 * 1024;
    public long MinFreeBytes { get; set; } = 2L * 1024 * 1024 * 1024;
    /// <summary>Where finished lessons go (one MP4 each, with its record); no target: they stay in the room.</summary>
    public UploadOptions Upload { get; set; } = new();
}

/// <summary>
/// The office's storage for recorded lessons, reached with rclone (S3-compatible storage, WebDAV, SFTP, FTP and more):
/// the remote and its credentials are in an rclone configuration file, never in this file.
/// </summary>
public sealed class UploadOptions
{
    /// <summary>rclone destination <c>remote:path</c>, the remote named in <see cref="ConfigFile"/>; may name <c>{region}</c>, <c>{school}</c>, <c>{room}</c>. Null: no upload.</summary>
    public string? Target { get; set; }
    /// <summary>The rclone configuration with the remote and its credentials; null: <c>$CREDENTIALS_DIRECTORY/rclone.conf</c> (systemd <c>LoadCredential=</c>).</summary>
    public string? ConfigFile { get; set; }
    /// <summary>The upload's bandwidth cap in kbit/s (0: none).</summary>
    public int BandwidthKbps { get; set; } = 8000;
    /// <summary>An upload waits a random 0..this many seconds once the room is free, so that a fleet does not upload at the same second.</summary>
    public int StartDelayMaxSeconds { get; set; } = 300;
    /// <summary>The longest wait between tries of a failing upload (backoff doubling from 30 s, with jitter).</summary>
    public int RetryMaxSeconds { get; set; } = 3600;
    /// <summary>Where the office finds a file, naming <c>{file}</c> (e.g. <c>https://media.county.example/lessons/{file}</c>); null: the target path.</summary>
    public string? UrlTemplate { get; set; }
}

public sealed class LoggingOptions
{
    public LogLevelName Level { get; set; } = LogLevelName.Information;
    /// <summary>Per-source minimum levels, e.g. { "EdgeAgent.Hardware": "Debug" }.</summary>
    public Dictionary<string, LogLevelName>? Overrides { get; set; }
    public long FileSizeLimitBytes { get; set; } = 10 * 1024 * 1024;
    public int RetainedFileCount { get; set; } = 10;
    /// <summary>Write console lines; off under a service manager that also reads the files.</summary>
    public bool Console { get; set; } = true;
}
