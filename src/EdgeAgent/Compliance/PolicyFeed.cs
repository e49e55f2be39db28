using EdgeAgent.Telemetry;
using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Compliance;

/// <summary>Hands the office's retained <c>config/policy</c> message to <see cref="PolicySource"/>.</summary>
public sealed class PolicyFeed(MqttLink link, PolicySource policies, Topics topics) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        link.ConfigReceived += OnConfig;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        link.ConfigReceived -= OnConfig;
        return Task.CompletedTask;
    }

    private void OnConfig(string topic, byte[] payload)
    {
        if (topic == topics.ConfigPolicy) policies.Accept(System.Text.Encoding.UTF8.GetString(payload), "config/policy");
    }
}
