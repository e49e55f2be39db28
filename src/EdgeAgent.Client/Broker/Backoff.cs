namespace EdgeAgent.Client.Broker;

/// <summary>Exponential backoff with jitter over the upper half, so that a fleet retrying together spreads out.</summary>
public static class Backoff
{
    /// <summary>
    /// The wait before retry number <paramref name="attempt"/> (0-based): <paramref name="firstSeconds"/> doubling per
    /// attempt up to <paramref name="capSeconds"/>, then a uniformly random point in the upper half of that ceiling.
    /// </summary>
    public static TimeSpan Delay(int attempt, double firstSeconds, double capSeconds, Random? random = null)
    {
        var ceiling = Math.Min(capSeconds, firstSeconds * Math.Pow(2, Math.Clamp(attempt, 0, 30)));
        return TimeSpan.FromSeconds(ceiling / 2 + (random ?? Random.Shared).NextDouble() * ceiling / 2);
    }
}
