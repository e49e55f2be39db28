using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Cameras;

public enum CameraPower { On, Standby }

public enum PanTiltDirection { Up, Down, Left, Right, UpLeft, UpRight, DownLeft, DownRight }

/// <summary>Pan and tilt in the camera's own units (signed 16-bit positions as VISCA reports them).</summary>
public readonly record struct PanTiltPosition(short Pan, short Tilt);

/// <summary>A pan-tilt-zoom camera. Preset names are mapped to numbers by the caller (config).</summary>
public interface IPtzCamera : IDevice
{
    Task SetPowerAsync(bool on, CancellationToken cancellationToken);
    Task<CameraPower> GetPowerAsync(CancellationToken cancellationToken);
    /// <param name="panSpeed">1..24</param>
    /// <param name="tiltSpeed">1..23</param>
    Task DriveAsync(PanTiltDirection direction, int panSpeed, int tiltSpeed, CancellationToken cancellationToken);
    Task StopAsync(CancellationToken cancellationToken);
    Task MoveToAsync(PanTiltPosition position, int panSpeed, int tiltSpeed, CancellationToken cancellationToken);
    Task HomeAsync(CancellationToken cancellationToken);
    /// <param name="zoom">0x0000 (wide) .. 0x4000 (tele)</param>
    Task ZoomToAsync(int zoom, CancellationToken cancellationToken);
    /// <param name="preset">0..127</param>
    Task SetPresetAsync(int preset, CancellationToken cancellationToken);
    Task RecallPresetAsync(int preset, CancellationToken cancellationToken);
    Task<PanTiltPosition> GetPositionAsync(CancellationToken cancellationToken);
    Task<int> GetZoomAsync(CancellationToken cancellationToken);
}
