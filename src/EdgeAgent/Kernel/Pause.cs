namespace EdgeAgent.Kernel;

/// <summary>A supervisor's wait between attempts: false when it was stopped instead.</summary>
public static class Pause
{
    public static async Task<bool> ForAsync(TimeSpan delay, TimeProvider time, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, time, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
