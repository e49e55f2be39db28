using MQTTnet;

namespace EdgeAgent.Client.Broker;

/// <summary>
/// A connection a long-running office part keeps to the broker: connect, let the caller subscribe, wait until the
/// connection is lost, and connect again after a backoff (1 s doubling to 30 s, jittered), until stopped. Problems are
/// said as sentences (<see cref="BrokerProblem"/>).
/// </summary>
public static class KeptConnection
{
    /// <param name="connected">Subscribes (and marks the part ready) once connected; the session result says whether the broker kept it.</param>
    /// <param name="gone">Called whenever the connection ends (lost, failed or stopped), before the client is disposed.</param>
    public static async Task RunAsync(BrokerOptions broker, MqttClientOptions options, Func<MqttApplicationMessageReceivedEventArgs, Task> onMessage,
        Func<IMqttClient, MqttClientConnectResult, Task> connected, Action gone, Action<string> say, string who, TimeProvider time, CancellationToken ct)
    {
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            client.DisconnectedAsync += _ => { lost.TrySetResult(); return Task.CompletedTask; };
            client.ApplicationMessageReceivedAsync += onMessage;
            try
            {
                var result = await client.ConnectAsync(options, ct).ConfigureAwait(false);
                await connected(client, result).ConfigureAwait(false);
                attempt = 0;
                await lost.Task.WaitAsync(ct).ConfigureAwait(false);
                say("connection lost; reconnecting");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                say(BrokerProblem.Unreachable(broker, e, who));
            }
            finally
            {
                gone();
                if (client.IsConnected)
                {
                    try { await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false); }
                    catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException) { }
                }
            }
            try
            {
                await Task.Delay(Backoff.Delay(attempt++, 1, 30), time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
