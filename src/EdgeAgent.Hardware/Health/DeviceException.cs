namespace EdgeAgent.Hardware.Health;

/// <summary>Stable categories of device failure; they become <c>error.code</c> values and health states.</summary>
public enum DeviceErrorKind
{
    /// <summary>No answer in time.</summary>
    Timeout,
    /// <summary>Cannot connect (refused, unreachable).</summary>
    Unreachable,
    /// <summary>The reply breaks the protocol (wrong length, bad characters, out-of-range values).</summary>
    Protocol,
    /// <summary>The device understood and refused (VISCA error, PJLink ERR1..ERR4, mic array ERR).</summary>
    Rejected,
    /// <summary>Authentication failed (PJLink ERRA).</summary>
    Authentication,
    /// <summary>The request is not valid for this device (bad preset number, unknown input).</summary>
    BadArgument,
}

/// <summary>Every driver failure is one of these; nothing else escapes a driver for a device's fault.</summary>
public class DeviceException(DeviceErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public DeviceErrorKind Kind { get; } = kind;

    /// <summary>The health state this failure implies.</summary>
    public DeviceState ImpliedState => Kind is DeviceErrorKind.Timeout or DeviceErrorKind.Unreachable ? DeviceState.Offline : DeviceState.Faulty;
}

/// <summary>A reply that breaks the protocol. Parsers throw only this.</summary>
public sealed class DeviceProtocolException(string message) : DeviceException(DeviceErrorKind.Protocol, message);
