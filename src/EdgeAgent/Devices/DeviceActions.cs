using System.Globalization;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Hardware.Audio;
using EdgeAgent.Hardware.Cameras;
using EdgeAgent.Hardware.Displays;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Devices;

/// <summary>The outcome of one action: a result object, or an error with a stable code.</summary>
public sealed record DeviceActionResult(bool Ok, JsonNode? Result, string? ErrorCode, string? Message)
{
    public static DeviceActionResult Success(JsonNode result) => new(true, result, null, null);
    public static DeviceActionResult Failure(string code, string message) => new(false, null, code, message);

    public JsonObject ToJson(string device, string action) => Ok
        ? new JsonObject { ["ok"] = true, ["device"] = device, ["action"] = action, ["result"] = Result?.DeepClone() }
        : new JsonObject { ["ok"] = false, ["device"] = device, ["action"] = action, ["error"] = new JsonObject { ["code"] = ErrorCode, ["message"] = Message } };
}

/// <summary>
/// The operations a technician can run on one device, by name, with string arguments: used by the local
/// <c>edgeagent device</c> command and the MQTT <c>device</c> command alike. Every argument is parsed and
/// range-checked here before a driver sees it; device failures come back as error codes, never exceptions.
/// </summary>
public sealed class DeviceActions(DeviceRegistry devices, TimeProvider time)
{
    public static readonly IReadOnlyDictionary<DeviceKind, string[]> ActionsByKind = new Dictionary<DeviceKind, string[]>
    {
        [DeviceKind.Camera] = ["status", "power", "preset-recall", "preset-set", "position", "move", "drive", "stop", "home", "zoom"],
        [DeviceKind.Display] = ["status", "power", "input", "inputs", "mute", "info"],
        [DeviceKind.MicArray] = ["status", "mute", "gain", "levels", "aec"],
        [DeviceKind.AudioCapture] = ["status", "level"],
    };

    private sealed class BadArgs(string message) : Exception(message);

    public async Task<DeviceActionResult> RunAsync(string deviceId, string action, IReadOnlyList<ActionArgument> args, CancellationToken ct)
    {
        var device = devices.Find(deviceId);
        if (device is null)
            return DeviceActionResult.Failure(ReplyCodes.UnknownDevice, $"no device '{Printable(deviceId)}' is configured (known: {string.Join(", ", devices.All.Select(d => d.Id))})");
        var allowed = ActionsByKind[device.Options.Kind];
        if (!allowed.Contains(action))
            return DeviceActionResult.Failure(ReplyCodes.BadArgs, $"'{Printable(action)}' is not an action of a {Words.Of(device.Options.Kind)}; use one of {string.Join(", ", allowed)}");
        try
        {
            JsonNode result = device.Driver switch
            {
                IPtzCamera camera => await CameraAsync(device, camera, action, args, ct).ConfigureAwait(false),
                IDisplay display => await DisplayAsync(display, action, args, ct).ConfigureAwait(false),
                IMicArray mic => await MicAsync(mic, action, args, ct).ConfigureAwait(false),
                AudioCaptureDevice capture => await CaptureAsync(capture, action, ct).ConfigureAwait(false),
                _ => throw new BadArgs("this device has no actions"),
            };
            return DeviceActionResult.Success(result);
        }
        catch (BadArgs e)
        {
            return DeviceActionResult.Failure(ReplyCodes.BadArgs, e.Message);
        }
        catch (DeviceException e) when (e.Kind == DeviceErrorKind.BadArgument)
        {
            return DeviceActionResult.Failure(ReplyCodes.BadArgs, e.Message);
        }
        catch (DeviceException e) when (e.Kind == DeviceErrorKind.Timeout)
        {
            return DeviceActionResult.Failure(ReplyCodes.Timeout, e.Message);
        }
        catch (DeviceException e)
        {
            return DeviceActionResult.Failure(ReplyCodes.DeviceError, $"{e.Kind.ToString().ToLowerInvariant()}: {e.Message}");
        }
    }

    private static async Task<JsonNode> CameraAsync(ClassroomDevice device, IPtzCamera camera, string action, IReadOnlyList<ActionArgument> args, CancellationToken ct)
    {
        switch (action, args.Count)
        {
            case ("status", 0):
                var power = await camera.GetPowerAsync(ct).ConfigureAwait(false);
                if (power == CameraPower.Standby) return new JsonObject { ["power"] = "standby" };
                var at = await camera.GetPositionAsync(ct).ConfigureAwait(false);
                return new JsonObject { ["power"] = "on", ["pan"] = (int)at.Pan, ["tilt"] = (int)at.Tilt, ["zoom"] = await camera.GetZoomAsync(ct).ConfigureAwait(false) };
            case ("power", 0):
                return new JsonObject { ["power"] = (await camera.GetPowerAsync(ct).ConfigureAwait(false)) == CameraPower.On ? "on" : "standby" };
            case ("power", 1):
                await camera.SetPowerAsync(OnOff(args[0]), ct).ConfigureAwait(false);
                return new JsonObject { ["power"] = args[0].Text == "on" ? "on" : "standby" };
            case ("preset-recall" or "preset-set", 1):
                var preset = device.ResolvePreset(args[0].Text)
                             ?? throw new BadArgs($"'{Printable(args[0].Text)}' is neither a configured preset ({string.Join(", ", device.Options.Presets?.Keys.ToArray() ?? [])}) nor a number 0..127");
                if (action == "preset-recall") await camera.RecallPresetAsync(preset, ct).ConfigureAwait(false);
                else await camera.SetPresetAsync(preset, ct).ConfigureAwait(false);
                return new JsonObject { ["preset"] = preset, ["name"] = args[0].Text };
            case ("position", 0):
                var p = await camera.GetPositionAsync(ct).ConfigureAwait(false);
                return new JsonObject { ["pan"] = (int)p.Pan, ["tilt"] = (int)p.Tilt };
            case ("move", 2):
                var target = new PanTiltPosition(Short(args[0], "pan"), Short(args[1], "tilt"));
                await camera.MoveToAsync(target, 0x10, 0x10, ct).ConfigureAwait(false);
                return new JsonObject { ["pan"] = (int)target.Pan, ["tilt"] = (int)target.Tilt };
            case ("drive", 1 or 2):
                var directionWord = args[0].Text;
                if (!Enum.TryParse<PanTiltDirection>(directionWord.Replace("-", ""), ignoreCase: true, out var direction) || !Enum.IsDefined(direction) || directionWord.Any(char.IsDigit))
                    throw new BadArgs($"'{Printable(directionWord)}' is not a direction (up, down, left, right, up-left, up-right, down-left, down-right)");
                var speed = args.Count == 2 ? Int(args[1], "speed", 1, 23) : 8;
                await camera.DriveAsync(direction, speed, speed, ct).ConfigureAwait(false);
                return new JsonObject { ["driving"] = directionWord, ["speed"] = speed };
            case ("stop", 0):
                await camera.StopAsync(ct).ConfigureAwait(false);
                return new JsonObject { ["stopped"] = true };
            case ("home", 0):
                await camera.HomeAsync(ct).ConfigureAwait(false);
                return new JsonObject { ["pan"] = 0, ["tilt"] = 0 };
            case ("zoom", 0):
                return new JsonObject { ["zoom"] = await camera.GetZoomAsync(ct).ConfigureAwait(false) };
            case ("zoom", 1):
                var zoom = Int(args[0], "zoom", 0, 0x4000);
                await camera.ZoomToAsync(zoom, ct).ConfigureAwait(false);
                return new JsonObject { ["zoom"] = zoom };
            default:
                throw new BadArgs($"wrong number of arguments for camera action '{action}'");
        }
    }

    private static async Task<JsonNode> DisplayAsync(IDisplay display, string action, IReadOnlyList<ActionArgument> args, CancellationToken ct)
    {
        switch (action, args.Count)
        {
            case ("status", 0):
                var power = await display.GetPowerAsync(ct).ConfigureAwait(false);
                var errors = await display.GetErrorStatusAsync(ct).ConfigureAwait(false);
                var lamps = new JsonArray();
                try
                {
                    foreach (var l in await display.GetLampsAsync(ct).ConfigureAwait(false)) lamps.Add((JsonNode)new JsonObject { ["hours"] = l.Hours, ["on"] = l.On });
                }
                catch (PjLinkException e) when (e.Error == PjLinkError.UndefinedCommand)
                {
                    // A flat panel has no lamp.
                }
                var errorObject = new JsonObject();
                foreach (var (part, level) in errors.Parts) errorObject[part] = level.ToString().ToLowerInvariant();
                return new JsonObject { ["power"] = Lower(power), ["errors"] = errorObject, ["summary"] = errors.Summary, ["lamps"] = lamps };
            case ("power", 0):
                return new JsonObject { ["power"] = Lower(await display.GetPowerAsync(ct).ConfigureAwait(false)) };
            case ("power", 1):
                await display.SetPowerAsync(OnOff(args[0]), ct).ConfigureAwait(false);
                return new JsonObject { ["power"] = Lower(await display.GetPowerAsync(ct).ConfigureAwait(false)) };
            case ("input", 0):
                return new JsonObject { ["input"] = await display.GetInputAsync(ct).ConfigureAwait(false) };
            case ("input", 1):
                var input = args[0].Text;
                if (!PjLinkReply.IsInput(input)) throw new BadArgs($"'{Printable(input)}' is not a PJLink input such as 31 (HDMI 1)");
                await display.SetInputAsync(input, ct).ConfigureAwait(false);
                return new JsonObject { ["input"] = input };
            case ("inputs", 0):
                return new JsonObject { ["inputs"] = new JsonArray((await display.ListInputsAsync(ct).ConfigureAwait(false)).Select(i => (JsonNode)i).ToArray()) };
            case ("mute", 0):
                return new JsonObject { ["mute"] = await display.GetAvMuteAsync(ct).ConfigureAwait(false) };
            case ("mute", 1):
                var mute = OnOff(args[0]);
                await display.SetAvMuteAsync(mute, ct).ConfigureAwait(false);
                return new JsonObject { ["mute"] = mute };
            case ("info", 0):
                var info = await display.GetInfoAsync(ct).ConfigureAwait(false);
                return new JsonObject
                {
                    ["name"] = info.Name, ["manufacturer"] = info.Manufacturer, ["product"] = info.Product, ["other"] = info.Other,
                    ["class"] = info.Class, ["serial"] = info.Serial, ["softwareVersion"] = info.SoftwareVersion,
                };
            default:
                throw new BadArgs($"wrong number of arguments for display action '{action}'");
        }
    }

    private async Task<JsonNode> MicAsync(IMicArray mic, string action, IReadOnlyList<ActionArgument> args, CancellationToken ct)
    {
        switch (action, args.Count)
        {
            case ("status", 0):
            case ("mute", 0):
                return new JsonObject { ["mute"] = await mic.GetMuteAsync(ct).ConfigureAwait(false) };
            case ("mute", 1):
                var mute = OnOff(args[0]);
                await mic.SetMuteAsync(mute, ct).ConfigureAwait(false);
                return new JsonObject { ["mute"] = mute };
            case ("aec", 0):
                return new JsonObject { ["aec"] = await mic.GetEchoCancellationAsync(ct).ConfigureAwait(false) is { } on ? (on ? "on" : "off") : "not available" };
            case ("aec", 1):
                var aec = OnOff(args[0]);
                if (!await mic.SetEchoCancellationAsync(aec, ct).ConfigureAwait(false))
                    throw new DeviceException(DeviceErrorKind.Rejected, "this mic array has no echo canceller");
                return new JsonObject { ["aec"] = aec ? "on" : "off" };
            case ("gain", 1):
                var channel = Int(args[0], "channel", 1, MicArrayMessage.MaxChannel);
                return new JsonObject { ["channel"] = channel, ["gainDb"] = await mic.GetGainAsync(channel, ct).ConfigureAwait(false) };
            case ("gain", 2):
                var ch = Int(args[0], "channel", 1, MicArrayMessage.MaxChannel);
                if ((args[1].Number ?? (double.TryParse(args[1].Text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var typed) ? typed : null)) is not { } db
                    || db is < -110 or > 30 || double.IsNaN(db))
                    throw new BadArgs($"gain '{Printable(args[1].Text)}' is not a number of dB in -110..30");
                await mic.SetGainAsync(ch, db, ct).ConfigureAwait(false);
                return new JsonObject { ["channel"] = ch, ["gainDb"] = await mic.GetGainAsync(ch, ct).ConfigureAwait(false) };
            case ("levels", 0):
                // Turn metering on, wait for a fresh sample, leave metering as it was found (off).
                var asked = time.GetUtcNow();
                await mic.SetMeterRateAsync(100, ct).ConfigureAwait(false);
                try
                {
                    var deadline = asked + TimeSpan.FromSeconds(3);
                    while (mic.Levels is not { } fresh || fresh.At < asked)
                    {
                        if (time.GetUtcNow() > deadline) throw new DeviceException(DeviceErrorKind.Timeout, "mic array sent no level samples within 3 s");
                        await Task.Delay(TimeSpan.FromMilliseconds(20), time, ct).ConfigureAwait(false);
                    }
                }
                finally
                {
                    await mic.SetMeterRateAsync(0, CancellationToken.None).ConfigureAwait(false);
                }
                var levels = mic.Levels!;
                return new JsonObject { ["at"] = levels.At.ToString("O"), ["dbfs"] = new JsonArray(levels.Dbfs.Select(d => (JsonNode)d).ToArray()) };
            default:
                throw new BadArgs($"wrong number of arguments for mic-array action '{action}'");
        }
    }

    private static async Task<JsonNode> CaptureAsync(AudioCaptureDevice capture, string action, CancellationToken ct)
    {
        if (action == "status")
            return new JsonObject { ["device"] = capture.AlsaDevice, ["present"] = capture.Probe.IsPresent(capture.AlsaDevice) };
        var level = await capture.Probe.MeasureAsync(new AudioCaptureSource.Alsa(capture.AlsaDevice), TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
        return new JsonObject { ["rmsDbfs"] = Finite(level.RmsDbfs), ["peakDbfs"] = Finite(level.PeakDbfs), ["silent"] = level.Silent, ["clipping"] = level.Clipping };
    }

    private static double Finite(double db) => double.IsNegativeInfinity(db) ? -120 : Math.Round(db, 1);

    private static string Lower<T>(T value) where T : Enum => value.ToString().ToLowerInvariant();

    private static bool OnOff(ActionArgument value) => value.Text switch
    {
        "on" => true,
        "off" => false,
        _ => throw new BadArgs($"'{Printable(value.Text)}' is not on or off"),
    };

    /// <summary>A whole number: as JSON sent it, or as a technician typed it.</summary>
    private static int Int(ActionArgument value, string name, int min, int max)
    {
        int? n = value.Number is { } d ? (d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue ? (int)d : null)
            : int.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        return n is { } k && k >= min && k <= max ? k : throw new BadArgs($"{name} '{Printable(value.Text)}' is not a whole number in {min}..{max}");
    }

    private static short Short(ActionArgument value, string name) => (short)Int(value, name, short.MinValue, short.MaxValue);

    private static string Printable(string s) => Contract.Commands.Printable.Of(s);
}
