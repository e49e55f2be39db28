namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A test class with its own temp directory and a real mosquitto on a free loopback port, both gone after the
/// class's tests; <see cref="Root"/> is the topic root of the room <see cref="TestConfig.Minimal"/> configures.
/// </summary>
public abstract class BrokerTest : IAsyncLifetime
{
    protected const string Root = "edu/zj-test/test-school/room-1/edgeagent";

    protected TempDir Dir { get; } = new();
    protected Mosquitto Broker { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Broker = await Mosquitto.StartAsync(Path.Combine(Dir.Path, "broker"));

    public virtual async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        Dir.Dispose();
    }
}
