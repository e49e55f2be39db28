namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// The test classes that run 720p encoders and players for minutes (weak links, the ladder, two rooms at once). xunit
/// runs them one after another, not beside each other: two of them on two cores would measure each other's load
/// (latency, stalls) instead of what they test. They still run beside the other, lighter classes.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HeavyMedia
{
    public const string Name = "heavy media";
}
