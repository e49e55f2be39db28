namespace EdgeAgent.Ctl.Broker;

/// <summary>edgeagent-ctl's exit codes (README, "edgeagent-ctl").</summary>
public static class CtlExit
{
    /// <summary>Done; for <c>diag</c>: the room answered ok.</summary>
    public const int Ok = 0;
    /// <summary>The room answered with an error, or <c>rooms</c>/<c>status</c> found a room in trouble.</summary>
    public const int Failed = 1;
    /// <summary>No answer within the timeout.</summary>
    public const int Timeout = 2;
    /// <summary>The broker (or the database) could not be reached or refused us.</summary>
    public const int Unreachable = 3;
    /// <summary>Bad arguments or configuration.</summary>
    public const int Usage = 64;
}

/// <summary>A problem the user must be told in words; carries the exit code.</summary>
public sealed class CtlException(string message, int exitCode, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
