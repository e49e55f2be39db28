using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Devices;
using EdgeAgent.Hardware.Audio;
using EdgeAgent.Hardware.Cameras;
using EdgeAgent.Hardware.Displays;
using EdgeAgent.Hardware.Health;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Lessons;

/// <summary>A device step that did not work.</summary>
public sealed record DeviceProblem(string Device, string Problem);

/// <summary>What the room wants of one device now (null: nothing of that).</summary>
public sealed record DeviceWants(bool? PowerOn = null, string? Input = null, bool? AvUnmuted = null, int? Preset = null, bool? Unmuted = null)
{
    public static readonly DeviceWants Nothing = new();
    public bool Any => this != Nothing;
}

/// <summary>
/// What the room's devices do around a lesson. Every step runs on every device in parallel and a failure is
/// returned as a <see cref="DeviceProblem"/>, never thrown: a lesson goes ahead with what works.
/// </summary>
public sealed partial class RoomControl(DeviceRegistry devices, ILogger<RoomControl> log, Configuration.PlaybackOptions? playback = null)
{
    public static readonly TimeSpan BlinkHalfPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>The lesson button on the box, if it has one.</summary>
    public Hardware.Gpio.LessonButton? LessonButton => devices.LessonButton;

    /// <summary>
    /// No device step may hold the lesson up longer than this (wall-clock: device I/O is real time): a step that has
    /// not finished is cancelled and reported, and the lesson goes ahead. Covers a projector's warm-up retries.
    /// </summary>
    public TimeSpan StepLimit { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>The clock of <see cref="StepLimit"/>: real time (tests hold it still to decide when a step has taken too long).</summary>
    public TimeProvider StepClock { get; init; } = TimeProvider.System;

    /// <summary>Raised as each device's step ends: the device, and its problem or null when it went through.</summary>
    public event Action<string, DeviceProblem?>? StepFinished;

    /// <summary>The camera preset for the room's role: the teacher in the main room, the students in the receiving room.</summary>
    public static string PresetFor(RoomRole role) => role == RoomRole.Main ? "teacher" : "students";

    /// <summary>
    /// Display on with the lesson input, cameras to the role's preset, microphones unmuted, on-air light blinking. For a
    /// two-way lesson also: the partner display (<c>playback.display</c>) on the input that carries the box's output, and
    /// the microphones' echo canceller on (the partner's voice now plays in the room).
    /// </summary>
    public async Task<IReadOnlyList<DeviceProblem>> PrepareAsync(RoomRole role, bool twoWay, CancellationToken ct)
    {
        devices.DisplayRelay?.Set(true);
        var steps = new List<Task<DeviceProblem?>>();
        foreach (var (device, display) in devices.OfType<IDisplay>())
            steps.Add(Step(device, async t =>
            {
                await display.SetPowerAsync(true, t).ConfigureAwait(false);
                if (LessonInputOf(device, twoWay) is { } input) await display.SetInputAsync(input, t).ConfigureAwait(false);
            }, ct));
        // Each camera that has the role's preset goes to it; a camera without it serves another view and stays put.
        var preset = PresetFor(role);
        var cameras = devices.OfType<IPtzCamera>().ToList();
        foreach (var (device, camera) in cameras.Where(c => c.Device.Options.Presets?.ContainsKey(preset) == true))
            steps.Add(Step(device, t => camera.RecallPresetAsync(device.Options.Presets![preset], t), ct));
        var problems0 = new List<DeviceProblem>();
        if (cameras.Count > 0 && cameras.All(c => c.Device.Options.Presets?.ContainsKey(preset) != true))
            problems0.Add(new DeviceProblem(cameras[0].Device.Id, $"no camera has a '{preset}' preset configured"));
        foreach (var (device, mic) in devices.OfType<IMicArray>())
            steps.Add(Step(device, async t =>
            {
                await mic.SetMuteAsync(false, t).ConfigureAwait(false);
                if (twoWay && !await mic.SetEchoCancellationAsync(true, t).ConfigureAwait(false)) LogNoEchoCanceller(device.Id);
            }, ct));
        var problems = problems0.Concat((await Task.WhenAll(steps).ConfigureAwait(false)).OfType<DeviceProblem>()).ToList();
        devices.OnAirLight?.Blink(BlinkHalfPeriod);
        return problems;
    }

    /// <summary>The lesson is on air: the light goes steady.</summary>
    public void OnAir() => devices.OnAirLight?.On();

    /// <summary>Microphones muted, on-air light off.</summary>
    public async Task<IReadOnlyList<DeviceProblem>> EndAsync(CancellationToken ct)
    {
        var steps = devices.OfType<IMicArray>().Select(x => Step(x.Device, t => x.Driver.SetMuteAsync(true, t), ct)).ToList();
        var problems = (await Task.WhenAll(steps).ConfigureAwait(false)).OfType<DeviceProblem>().ToList();
        devices.OnAirLight?.Off();
        return problems;
    }

    public async Task<IReadOnlyList<DeviceProblem>> DisplayOffAsync(CancellationToken ct)
    {
        var steps = devices.OfType<IDisplay>().Select(x => Step(x.Device, t => x.Driver.SetPowerAsync(false, t), ct)).ToList();
        var problems = (await Task.WhenAll(steps).ConfigureAwait(false)).OfType<DeviceProblem>().ToList();
        devices.DisplayRelay?.Set(false);
        return problems;
    }

    /// <summary>What the room wants of one device for <paramref name="intent"/> (nothing while idle).</summary>
    public DeviceWants Wants(string deviceId, RoomIntent intent)
    {
        if (intent.Phase == LessonPhases.Idle || devices.Find(deviceId) is not { } device) return DeviceWants.Nothing;
        return device.Driver switch
        {
            IDisplay => new DeviceWants(PowerOn: true, Input: LessonInputOf(device, intent.TwoWay), AvUnmuted: true),
            IPtzCamera when device.Options.Presets is { } presets && presets.TryGetValue(PresetFor(intent.Role), out var preset) => new DeviceWants(Preset: preset),
            IMicArray when intent.Phase == LessonPhases.Live => new DeviceWants(Unmuted: true),
            _ => DeviceWants.Nothing,
        };
    }

    /// <summary>Sends one device what the room wants of it again (a playbook's <c>resend-desired</c>); its problem, or null.</summary>
    public Task<DeviceProblem?> ResendAsync(string deviceId, RoomIntent intent, CancellationToken ct)
    {
        if (devices.Find(deviceId) is not { } device) return Task.FromResult<DeviceProblem?>(new DeviceProblem(deviceId, "no such device"));
        var wants = Wants(deviceId, intent);
        return device.Driver switch
        {
            IDisplay display when wants.PowerOn == true => Step(device, async t =>
            {
                devices.DisplayRelay?.Set(true);
                await display.SetPowerAsync(true, t).ConfigureAwait(false);
                if (wants.Input is { } input) await display.SetInputAsync(input, t).ConfigureAwait(false);
                await display.SetAvMuteAsync(false, t).ConfigureAwait(false);
            }, ct),
            IPtzCamera camera when wants.Preset is { } preset => Step(device, async t =>
            {
                if (await camera.GetPowerAsync(t).ConfigureAwait(false) != CameraPower.On) await camera.SetPowerAsync(true, t).ConfigureAwait(false);
                await camera.RecallPresetAsync(preset, t).ConfigureAwait(false);
            }, ct),
            IMicArray mic when wants.Unmuted == true => Step(device, t => mic.SetMuteAsync(false, t), ct),
            _ => Task.FromResult<DeviceProblem?>(null),
        };
    }

    private string? LessonInputOf(ClassroomDevice device, bool twoWay) =>
        twoWay && playback?.Display == device.Id && playback.DisplayInput is { } partnerInput ? partnerInput : device.Options.LessonInput;

    private async Task<DeviceProblem?> Step(ClassroomDevice device, Func<CancellationToken, Task> step, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(StepLimit, StepClock);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        string why;
        try
        {
            // WaitAsync too: a driver that ignores its token still cannot hold the lesson.
            await step(limit.Token).WaitAsync(StepLimit, StepClock, ct).ConfigureAwait(false);
            StepFinished?.Invoke(device.Id, null);
            return null;
        }
        catch (Exception e) when ((e is OperationCanceledException || e is TimeoutException) && timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            why = $"did not finish within {StepLimit.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is DeviceException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            why = e.Message;
        }
        LogStepFailed(device.Id, why);
        var problem = new DeviceProblem(device.Id, why);
        StepFinished?.Invoke(device.Id, problem);
        return problem;
    }

    [LoggerMessage(EventId = 5401, Level = LogLevel.Warning, Message = "Lesson step on {Device} failed: {Reason}")]
    private partial void LogStepFailed(string device, string reason);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Warning, Message = "Mic array {Device} has no echo canceller to turn on: the partner's voice may echo back")]
    private partial void LogNoEchoCanceller(string device);
}
