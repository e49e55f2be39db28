namespace EdgeAgent.Cli;

/// <summary>Process exit codes. 78 is sysexits' EX_CONFIG: the unit has RestartPreventExitStatus=78.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int CheckWarn = 1;
    /// <summary><c>edgeagent lessons</c>: an upcoming synchronized lesson clashes.</summary>
    public const int LessonsClash = 1;
    public const int CheckFail = 2;
    public const int CheckCouldNotRun = 3;
    /// <summary><c>edgeagent lessons --tallies</c>: there is no state database to read (as <c>edgeagent-ctl report --db</c>).</summary>
    public const int NoStateDatabase = 3;
    public const int DeviceError = 4;
    public const int Usage = 64;
    public const int Software = 70;
    public const int Config = 78;
}
