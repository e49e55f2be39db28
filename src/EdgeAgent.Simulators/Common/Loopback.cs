using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Simulators.Common;

/// <summary>Ports on 127.0.0.1, and the server programs on them, for the simulators that run one of their own (the RTSP camera, the office storage).</summary>
public static class Loopback
{
    /// <summary>A TCP port nothing listens on now.</summary>
    public static int FreeTcpPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Kills a server program and everything it started, waits for it, and forgets it.</summary>
    public static void Kill(ref System.Diagnostics.Process? process)
    {
        if (process is null) return;
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
        process = null;
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool Accepts(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
