using System.Text.RegularExpressions;
using EdgeAgent.Client.Broker;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;

namespace EdgeAgent.Configuration;

/// <summary>A problem with one configuration field: its path in the file and why it is wrong.</summary>
public sealed record ConfigError(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>
/// Checks every field of <see cref="AgentOptions"/> and reports all problems at once, each naming its path
/// (e.g. <c>devices[1].port</c>). Closed vocabularies (role, protocols, sources) are checked by the loader, which
/// binds them to the contract's enums.
/// </summary>
public static partial class AgentOptionsValidator
{
    /// <summary>Which protocols each device kind speaks, and whether it needs host and port.</summary>
    public static readonly IReadOnlyDictionary<DeviceKind, (DeviceProtocol[] Protocols, bool Network)> DeviceKinds =
        new Dictionary<DeviceKind, (DeviceProtocol[], bool)>
        {
            [DeviceKind.Camera] = ([DeviceProtocol.ViscaIp], true),
            [DeviceKind.Display] = ([DeviceProtocol.PjLink], true),
            [DeviceKind.MicArray] = ([DeviceProtocol.CommandString], true),
            [DeviceKind.AudioCapture] = ([DeviceProtocol.Alsa], false),
        };

    internal static bool Identifier(string? value) => TopicTree.IsCode(value);

    /// <summary>rclone's <c>remote:path</c> with a named remote (not an inline <c>:type,key=value:</c> one).</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}:[^\x00-\x1f]*$")]
    private static partial Regex UploadTarget();

    [GeneratedRegex("^[1-9][1-9A-Z]$")]
    private static partial Regex PjLinkInput();

    [GeneratedRegex("^/dev/(video[0-9]{1,3}|v4l/by-(id|path)/[A-Za-z0-9_.:-]+)$")]
    private static partial Regex V4l2Device();

    [GeneratedRegex("^(default|(plug)?hw:[0-9]{1,2}(,[0-9]{1,2})?|(plug)?hw:CARD=[A-Za-z0-9_]+(,DEV=[0-9]{1,2})?)$")]
    private static partial Regex AlsaDevice();

    public static List<ConfigError> Check(AgentOptions o)
    {
        var errors = new List<ConfigError>();
        void Fail(string path, string reason) => errors.Add(new ConfigError(path, reason));
        void Identifier(string path, string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) Fail(path, "is required");
            else if (!AgentOptionsValidator.Identifier(value))
                Fail(path, $"'{value}' must be 1-64 characters of A-Z a-z 0-9 _ . - (it becomes an MQTT topic segment)");
        }
        void Range(string path, long value, long min, long max)
        {
            if (value < min || value > max) Fail(path, $"{value} is out of range {min}..{max}");
        }
        void NotEmpty(string path, string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) Fail(path, "is required");
        }

        Identifier("region", o.Region);
        Identifier("school", o.School);
        Identifier("room", o.Room);

        CheckBroker(o.Broker, Fail, Range, NotEmpty);

        var ids = new HashSet<string>();
        for (var i = 0; i < o.Devices.Count; i++)
        {
            var d = o.Devices[i];
            var p = $"devices[{i}]";
            if (d is null) { Fail(p, "is null"); continue; }
            Identifier($"{p}.id", d.Id);
            if (!string.IsNullOrEmpty(d.Id) && !ids.Add(d.Id)) Fail($"{p}.id", $"'{d.Id}' is used by another device");
            var kind = DeviceKinds[d.Kind];
            {
                if (!kind.Protocols.Contains(d.Protocol))
                    Fail($"{p}.protocol", $"'{Words.Of(d.Protocol)}' is not supported for kind '{Words.Of(d.Kind)}' (use '{string.Join("' or '", kind.Protocols.Select(Words.Of))}')");
                if (kind.Network)
                {
                    NotEmpty($"{p}.host", d.Host);
                    if (d.Port is null) Fail($"{p}.port", "is required");
                    else Range($"{p}.port", d.Port.Value, 1, 65535);
                }
                if (d.Kind == DeviceKind.AudioCapture)
                {
                    if (string.IsNullOrEmpty(d.AlsaDevice)) Fail($"{p}.alsaDevice", "is required");
                    else if (!AlsaDevice().IsMatch(d.AlsaDevice)) Fail($"{p}.alsaDevice", $"'{d.AlsaDevice}' is not an ALSA device name like hw:1,0");
                }
            }
            if (d.Presets is not null)
            {
                if (d.Kind != DeviceKind.Camera) Fail($"{p}.presets", "only cameras have presets");
                foreach (var (preset, number) in d.Presets)
                {
                    if (!AgentOptionsValidator.Identifier(preset)) Fail($"{p}.presets.{preset}", "is not a valid preset name");
                    Range($"{p}.presets.{preset}", number, 0, 127);
                }
            }
            if (d.LessonInput is not null && !PjLinkInput().IsMatch(d.LessonInput))
                Fail($"{p}.lessonInput", $"'{d.LessonInput}' is not a PJLink input (two characters such as 31 for HDMI 1)");
            if (d.PollSeconds is { } poll) Range($"{p}.pollSeconds", poll, 1, 3600);
            Range($"{p}.timeoutMs", d.TimeoutMs, 50, 60_000);
        }

        if (o.Gpio is { } g)
        {
            Range("gpio.chip", g.Chip, 0, 63);
            Range("gpio.debounceMs", g.DebounceMs, 0, 2000);
            var pins = new Dictionary<int, string>();
            var lines = new List<(string Name, GpioPinOptions? Pin)> { ("onAirLight", g.OnAirLight), ("lessonButton", g.LessonButton), ("displayRelay", g.DisplayRelay) };
            foreach (var (device, relay) in g.PowerRelays ?? [])
            {
                if (!o.Devices.Any(d => d.Id == device)) Fail($"gpio.powerRelays.{device}", $"'{device}' is not a configured device");
                lines.Add(($"powerRelays.{device}", relay));
            }
            foreach (var (name, pin) in lines)
            {
                if (pin is null) continue;
                Range($"gpio.{name}.pin", pin.Pin, 0, 1023);
                if (pins.TryGetValue(pin.Pin, out var other)) Fail($"gpio.{name}.pin", $"pin {pin.Pin} is already used by {other}");
                else pins[pin.Pin] = name;
            }
        }

        CheckStream(o.Stream, o.Address, Fail, Range);
        CheckPlayback(o, Fail, Range);

        if (o.Playbooks.File is { } playbooks && !File.Exists(playbooks)) Fail("playbooks.file", $"'{playbooks}' does not exist");
        if (o.Update.Ring is { } ring && !TopicTree.IsCode(ring)) Fail("update.ring", $"'{ring}' is not a ring name (1-64 characters of A-Z a-z 0-9 _ . -)");
        if (string.IsNullOrWhiteSpace(o.Update.ResultFile) || !Path.IsPathRooted(o.Update.ResultFile)) Fail("update.resultFile", "must be an absolute path");
        if (o.Update.Directory is { } updates && !Path.IsPathRooted(updates)) Fail("update.directory", "must be an absolute path");

        NotEmpty("recording.directory", o.Recording.Directory);
        Range("recording.segmentSeconds", o.Recording.SegmentSeconds, 2, 600);
        Range("recording.quotaBytes", o.Recording.QuotaBytes, 1, long.MaxValue);
        Range("recording.minFreeBytes", o.Recording.MinFreeBytes, 0, long.MaxValue);
        var up = o.Recording.Upload;
        if (up.Target is { } target)
        {
            // A named remote only: rclone's inline ":type,key=value:" remotes would carry credentials into this file.
            if (!UploadTarget().IsMatch(target)) Fail("recording.upload.target", $"'{Redaction.Url(target)}' is not an rclone remote:path naming a remote of recording.upload.configFile");
            var config = up.ConfigFile ?? (Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY") is { Length: > 0 } creds ? Path.Combine(creds, "rclone.conf") : null);
            if (config is null) Fail("recording.upload.configFile", "needed with recording.upload.target (or the systemd credential rclone.conf)");
            else if (!File.Exists(config)) Fail("recording.upload.configFile", $"'{config}' does not exist");
        }
        Range("recording.upload.bandwidthKbps", up.BandwidthKbps, 0, 10_000_000);
        Range("recording.upload.startDelayMaxSeconds", up.StartDelayMaxSeconds, 0, 3600);
        Range("recording.upload.retryMaxSeconds", up.RetryMaxSeconds, 30, 86_400);
        if (up.UrlTemplate is { } url && !url.Contains("{file}", StringComparison.Ordinal)) Fail("recording.upload.urlTemplate", "must name {file}");

        var l = o.Lessons;
        if (l.BookingsSource == BookingsSource.Ical && string.IsNullOrWhiteSpace(l.Ical))
            Fail("lessons.ical", "an iCalendar file path or http(s) URL is required when lessons.bookingsSource is ical");
        if (l.BookingsSource != BookingsSource.Config && l.Bookings.Count > 0)
            Fail("lessons.bookings", $"bookings come from {Words.Of(l.BookingsSource)}; remove them here or set lessons.bookingsSource to config");
        Range("lessons.icalRefreshMinutes", l.IcalRefreshMinutes, 1, 24 * 60);
        Range("lessons.prepareMinutes", l.PrepareMinutes, 0, 60);
        Range("lessons.displayOffGraceMinutes", l.DisplayOffGraceMinutes, 0, 240);
        Range("lessons.minimumOverlapMinutes", l.MinimumOverlapMinutes, 1, 240);
        Range("lessons.completedPercent", l.CompletedPercent, 1, 100);
        Range("lessons.partialPercent", l.PartialPercent, 1, l.CompletedPercent);
        Range("lessons.clashLookaheadDays", l.ClashLookaheadDays, 1, 62);
        Range("lessons.adhocMinutes", l.AdhocMinutes, 1, 240);
        var c = o.Compliance;
        if (c.PolicyFile is not null && !File.Exists(c.PolicyFile)) Fail("compliance.policyFile", $"file '{c.PolicyFile}' does not exist or is not readable");
        if (c.Iperf3Host is not null && Uri.CheckHostName(c.Iperf3Host) == UriHostNameType.Unknown) Fail("compliance.iperf3Host", $"'{c.Iperf3Host}' is not a host name or address");
        Range("compliance.iperf3Port", c.Iperf3Port, 1, 65535);
        Range("compliance.iperf3Seconds", c.Iperf3Seconds, 1, 60);
        if (c.Iperf3UdpMbps is < 0.1 or > 1000) Fail("compliance.iperf3UdpMbps", $"must be between 0.1 and 1000, not {c.Iperf3UdpMbps}");
        if (c.SntpServer is not null && Uri.CheckHostName(c.SntpServer.Split(':')[0]) == UriHostNameType.Unknown) Fail("compliance.sntpServer", $"'{c.SntpServer}' is not a host[:port]");
        Range("compliance.micTestSeconds", c.MicTestSeconds, 1, 30);
        Range("compliance.probeTimeoutSeconds", c.ProbeTimeoutSeconds, 5, 600);

        NotEmpty("stateDirectory", o.StateDirectory);
        NotEmpty("logsDirectory", o.LogsDirectory);
        Range("logging.fileSizeLimitBytes", o.Logging.FileSizeLimitBytes, 64 * 1024, 1L << 32);
        Range("logging.retainedFileCount", o.Logging.RetainedFileCount, 1, 1000);
        Range("devicePollSeconds", o.DevicePollSeconds, 1, 3600);
        return errors;
    }

    private static void CheckBroker(BrokerOptions b, Action<string, string> fail, Action<string, long, long, long> range, Action<string, string?> notEmpty)
    {
        notEmpty("broker.host", b.Host);
        range("broker.port", b.Port, 1, 65535);
        if (b.ClientId is not null && !Identifier(b.ClientId)) fail("broker.clientId", $"'{b.ClientId}' must be 1-64 characters of A-Z a-z 0-9 _ . -");
        range("broker.heartbeatSeconds", b.HeartbeatSeconds, 1, 86_400);
        range("broker.sessionExpirySeconds", b.SessionExpirySeconds, 0, 7 * 86_400);
        range("broker.outboxMaxEvents", b.OutboxMaxEvents, 10, 10_000_000);
        range("broker.keepAliveSeconds", b.KeepAliveSeconds, 5, 3600);
        range("broker.reconnectMaxSeconds", b.ReconnectMaxSeconds, 1, 3600);
        if (b.Tls.Enabled)
        {
            CheckFile("broker.tls.caFile", b.Tls.CaFile, required: true, fail);
            if ((b.Tls.CertFile is null) != (b.Tls.KeyFile is null))
                fail(b.Tls.CertFile is null ? "broker.tls.certFile" : "broker.tls.keyFile", "a client certificate needs both certFile and keyFile");
            CheckFile("broker.tls.certFile", b.Tls.CertFile, required: false, fail);
            CheckFile("broker.tls.keyFile", b.Tls.KeyFile, required: false, fail);
        }
    }

    private static void CheckFile(string path, string? file, bool required, Action<string, string> fail)
    {
        if (string.IsNullOrEmpty(file))
        {
            if (required) fail(path, "is required when broker.tls.enabled is true");
        }
        else if (!File.Exists(file)) fail(path, $"file '{file}' does not exist or is not readable");
    }

    private static void CheckStream(StreamOptions s, RoomAddress room, Action<string, string> fail, Action<string, long, long, long> range)
    {
        void Video(VideoSource source, string? input, string path)
        {
            switch (source)
            {
                case VideoSource.V4l2 when input is null || !V4l2Device().IsMatch(input):
                    fail(path, $"'{input}' is not a V4L2 device path like /dev/video0");
                    break;
                case VideoSource.Rtsp when !IsUrl(input, "rtsp", "rtsps"):
                    fail(path, $"'{Redaction.Url(input ?? "")}' is not an rtsp:// URL");
                    break;
            }
        }
        Video(s.VideoSource, s.VideoInput, "stream.videoInput");
        if (s.BackupVideoSource is { } backup)
        {
            Video(backup, s.BackupVideoInput, "stream.backupVideoInput");
            if (s.AudioSource == AudioSource.Rtsp) fail("stream.backupVideoSource", "the sound comes from the rtsp video source: a backup picture would leave the lesson silent; take the sound from alsa");
        }
        else if (s.BackupVideoInput is not null) fail("stream.backupVideoInput", "needs stream.backupVideoSource");
        if (s.AudioSource == AudioSource.Alsa && (s.AudioInput is null || !AlsaDevice().IsMatch(s.AudioInput)))
            fail("stream.audioInput", $"'{s.AudioInput}' is not an ALSA device name like hw:1,0");
        if (s.AudioSource == AudioSource.Rtsp && s.VideoSource != VideoSource.Rtsp)
            fail("stream.audioSource", "rtsp audio comes from the rtsp video source; set stream.videoSource to rtsp");
        range("stream.width", s.Width, 160, 3840);
        range("stream.height", s.Height, 120, 2160);
        if (s.Width % 2 != 0) fail("stream.width", "must be even");
        if (s.Height % 2 != 0) fail("stream.height", "must be even");
        range("stream.fps", s.Fps, 1, 60);
        range("stream.videoBitrateKbps", s.VideoBitrateKbps, 100, 50_000);
        range("stream.audioBitrateKbps", s.AudioBitrateKbps, 16, 512);
        range("stream.gopSeconds", s.GopSeconds, 1, 10);
        range("stream.stallSeconds", s.StallSeconds, 3, 300);
        range("stream.maxRestarts", s.MaxRestarts, 0, 100);
        range("stream.restartMaxSeconds", s.RestartMaxSeconds, 1, 600);
        if (s.UplinkRetryMaxSeconds is < 0.1 or > 60) fail("stream.uplinkRetryMaxSeconds", $"must be between 0.1 and 60, not {s.UplinkRetryMaxSeconds}");
        range("stream.stopTimeoutSeconds", s.StopTimeoutSeconds, 1, 60);
        if (!string.IsNullOrEmpty(s.UplinkUrl))
        {
            var uplink = Templated("stream.uplinkUrl", s.UplinkUrl, MediaUrlTemplate.Room(room), fail);
            if (uplink is not null && uplink.Transport is not (MediaTransport.Srt or MediaTransport.Rtmp))
                fail("stream.uplinkUrl", $"'{uplink.Redacted}' is not an srt:// or rtmp:// URL");
            if (uplink is not null) CheckSrtParameters("stream.uplinkUrl", uplink, fail);
        }
        if (!string.IsNullOrEmpty(s.PartnerUrl))
        {
            // Checked with stand-in partner codes: each booking's own are checked where the booking is loaded.
            var values = MediaUrlTemplate.Room(room);
            values["partnerSchool"] = "partner-school";
            values["partnerRoom"] = "partner-room";
            if (Templated("stream.partnerUrl", s.PartnerUrl, values, fail) is { } partner) CheckSrtParameters("stream.partnerUrl", partner, fail);
        }
        CheckLadder(s, fail, range);
        if (s.IngestHost is not null && Uri.CheckHostName(s.IngestHost) == UriHostNameType.Unknown)
            fail("stream.ingestHost", $"'{s.IngestHost}' is not a host name or address");
    }

    /// <summary>
    /// SRT URLs follow libsrt's URI syntax (srt-live-transmit carries them). The latency is the agent's to set, from the
    /// measured path, so a URL may not fix it (ffmpeg's <c>latency</c> was in microseconds, libsrt's in milliseconds: a
    /// value kept from an old configuration would be a thousand times off).
    /// </summary>
    private static void CheckSrtParameters(string path, MediaEndpoint endpoint, Action<string, string> fail)
    {
        if (endpoint.Transport != MediaTransport.Srt) return;
        var query = endpoint.Url.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? endpoint.Url[(q + 1)..] : "";
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = pair.Split('=', 2)[0];
            if (name is "latency" or "rcvlatency" or "peerlatency" or "tsbpddelay")
                fail(path, $"'{name}' is set by the agent from the measured path (stream.srtLatencyMinMs/MaxMs bound it, stream.srtLatencyMs fixes it): leave it out of the URL");
        }
    }

    private static void CheckLadder(StreamOptions s, Action<string, string> fail, Action<string, long, long, long> range)
    {
        range("stream.ladder.upAfterSeconds", s.Ladder.UpAfterSeconds, 5, 3600);
        if (s.SrtLatencyMs is { } fixedMs) range("stream.srtLatencyMs", fixedMs, 20, 10_000);
        range("stream.srtLatencyMinMs", s.SrtLatencyMinMs, 20, 10_000);
        range("stream.srtLatencyMaxMs", s.SrtLatencyMaxMs, 20, 10_000);
        if (s.SrtLatencyMaxMs < s.SrtLatencyMinMs) fail("stream.srtLatencyMaxMs", $"{s.SrtLatencyMaxMs} is below stream.srtLatencyMinMs ({s.SrtLatencyMinMs})");
        if (s.Ladder.Rungs is not { } rungs) return;
        if (rungs.Count > 4) fail("stream.ladder.rungs", $"at most 4 rungs below the top, not {rungs.Count}");
        var (width, height, kbps) = (s.Width, s.Height, s.VideoBitrateKbps);
        for (var i = 0; i < rungs.Count; i++)
        {
            var r = rungs[i];
            var at = $"stream.ladder.rungs[{i}]";
            range($"{at}.width", r.Width, 160, 3840);
            range($"{at}.height", r.Height, 120, 2160);
            if (r.Width % 2 != 0) fail($"{at}.width", "must be even");
            if (r.Height % 2 != 0) fail($"{at}.height", "must be even");
            range($"{at}.videoBitrateKbps", r.VideoBitrateKbps, 100, 50_000);
            if (r.AudioBitrateKbps is { } audio) range($"{at}.audioBitrateKbps", audio, 16, 512);
            if (r.Width > width || r.Height > height)
                fail(at, $"{r.Width}x{r.Height} is larger than the rung above it ({width}x{height}): rungs go down, best first, the top being the stream itself");
            if (r.VideoBitrateKbps >= kbps)
                fail($"{at}.videoBitrateKbps", $"{r.VideoBitrateKbps} is not below the rung above it ({kbps}): rungs go down, best first, the top being the stream itself");
            (width, height, kbps) = (r.Width, r.Height, r.VideoBitrateKbps);
        }
    }

    /// <summary>A URL template filled with <paramref name="values"/> and parsed; null (with the problem reported) when it cannot be.</summary>
    private static MediaEndpoint? Templated(string path, string template, Dictionary<string, string?> values, Action<string, string> fail)
    {
        var unknown = MediaUrlTemplate.Names(template).Where(n => !values.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            fail(path, $"{string.Join(", ", unknown.Select(n => $"{{{n}}}"))} is not a placeholder here (known: {string.Join(", ", values.Keys.Select(k => $"{{{k}}}"))})");
            return null;
        }
        string url;
        try
        {
            url = MediaUrlTemplate.Fill(template, values);
        }
        catch (ArgumentException e)
        {
            fail(path, e.Message);
            return null;
        }
        var endpoint = MediaEndpoint.TryParse(url, out var problem);
        if (endpoint is null) fail(path, problem!);
        return endpoint;
    }

    [GeneratedRegex("^(none|default|(plug)?hw:[0-9]{1,2}(,[0-9]{1,2})?|(plug)?hw:CARD=[A-Za-z0-9_]+(,DEV=[0-9]{1,2})?)$")]
    private static partial Regex SpeakerDevice();

    private static void CheckPlayback(AgentOptions o, Action<string, string> fail, Action<string, long, long, long> range)
    {
        var p = o.Playback;
        if (!SpeakerDevice().IsMatch(p.AudioDevice ?? ""))
            fail("playback.audioDevice", $"'{p.AudioDevice}' is not an ALSA device name like hw:0,3, default, or none");
        if (p.Display is not null && !o.Devices.Any(d => d?.Id == p.Display && d.Kind == DeviceKind.Display))
            fail("playback.display", $"'{p.Display}' is not a configured display");
        if (p.DisplayInput is not null)
        {
            if (p.Display is null) fail("playback.displayInput", "needs playback.display (which display shows the partner)");
            else if (!PjLinkInput().IsMatch(p.DisplayInput)) fail("playback.displayInput", $"'{p.DisplayInput}' is not a PJLink input (two characters such as 32 for HDMI 2)");
        }
        range("playback.volumePercent", p.VolumePercent, 0, 130);
        range("playback.partnerWaitSeconds", p.PartnerWaitSeconds, 1, 600);
        if (p.PartnerLostSeconds is < 0.5 or > 60) fail("playback.partnerLostSeconds", $"must be between 0.5 and 60, not {p.PartnerLostSeconds}");
        range("playback.stallSeconds", p.StallSeconds, 1, 300);
        range("playback.maxRestarts", p.MaxRestarts, 0, 100);
    }

    internal static bool IsUrl(string? value, params string[] schemes) =>
        value is not null
        && value.All(c => c > ' ' && c < 127)
        && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && schemes.Contains(uri.Scheme)
        && !string.IsNullOrEmpty(uri.Host);
}
