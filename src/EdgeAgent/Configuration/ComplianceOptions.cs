namespace EdgeAgent.Configuration;

/// <summary>How the room is checked against the compliance policy (<c>compliance</c> in the config file).</summary>
public sealed class ComplianceOptions
{
    /// <summary>A policy file replacing the built-in default (the office may also push one on <c>config/policy</c>).</summary>
    public string? PolicyFile { get; set; }
    /// <summary>iperf3 server measuring the network to the ingest side; none: only round-trip time by TCP connect to <c>stream.ingestHost</c>.</summary>
    public string? Iperf3Host { get; set; }
    public int Iperf3Port { get; set; } = 5201;
    /// <summary>Seconds of each iperf3 run (upload, download, UDP).</summary>
    public int Iperf3Seconds { get; set; } = 5;
    /// <summary>UDP rate of the jitter/loss run, Mbit/s.</summary>
    public double Iperf3UdpMbps { get; set; } = 2;
    /// <summary>SNTP server for the clock probe when neither timedatectl nor chrony answers.</summary>
    public string? SntpServer { get; set; }
    /// <summary>Seconds of audio captured for the level probe.</summary>
    public int MicTestSeconds { get; set; } = 3;
    /// <summary>Time limit of each probe.</summary>
    public int ProbeTimeoutSeconds { get; set; } = 60;
}
