using System.Globalization;
using EdgeAgent.State;
using Microsoft.Data.Sqlite;

namespace EdgeAgent.Media.Link;

/// <summary>
/// What the room last measured of its network path, one row per source (the compliance network probe, the last
/// lesson's SRT connection), kept in the state database so that a restarted agent still knows it. A measurement that
/// could not take a figure (iperf3 busy with another room, say) keeps that figure from the source's previous one. A lesson's SRT legs
/// take their latency from the newest round trip and loss, and the uplink its first rung from the newest bandwidth.
/// </summary>
public sealed class LinkPaths(StateDatabase database)
{
    public const string Compliance = "compliance probe";
    public const string Lesson = "last lesson's SRT link";

    public void Save(LinkPath path)
    {
        try
        {
            database.Write(c =>
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = """
                    INSERT INTO link_paths (source, measured_at, rtt_ms, loss_percent, up_mbps, down_mbps) VALUES ($source, $at, $rtt, $loss, $up, $down)
                    ON CONFLICT (source) DO UPDATE SET measured_at = $at, rtt_ms = COALESCE($rtt, rtt_ms), loss_percent = COALESCE($loss, loss_percent),
                        up_mbps = COALESCE($up, up_mbps), down_mbps = COALESCE($down, down_mbps)
                    """;
                cmd.Parameters.AddWithValue("$source", path.Source);
                cmd.Parameters.AddWithValue("$at", path.MeasuredAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                cmd.Parameters.AddWithValue("$rtt", (object?)path.RttMs ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$loss", (object?)path.LossPercent ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$up", (object?)path.UpMbps ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$down", (object?)path.DownMbps ?? DBNull.Value);
                cmd.ExecuteNonQuery();
            });
        }
        catch (Exception e) when (e is SqliteException or StateFullException)
        {
            // A measurement is a hint for the next lesson, not data the office waits for: a full disk may lose it.
        }
    }

    public IReadOnlyList<LinkPath> All()
    {
        try
        {
            using var c = database.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT source, measured_at, rtt_ms, loss_percent, up_mbps, down_mbps FROM link_paths ORDER BY measured_at DESC";
            using var r = cmd.ExecuteReader();
            var list = new List<LinkPath>();
            while (r.Read())
                list.Add(new LinkPath(DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal), r.GetString(0),
                    Nullable(r, 2), Nullable(r, 3), Nullable(r, 4), Nullable(r, 5)));
            return list;
        }
        catch (SqliteException)
        {
            return [];
        }
    }

    /// <summary>The newest measurement of the round trip (and the loss measured with it).</summary>
    public LinkPath? ForLatency() => All().FirstOrDefault(p => p.RttMs is not null);

    /// <summary>The newest measurement of the upload bandwidth.</summary>
    public LinkPath? ForBandwidth() => All().FirstOrDefault(p => p.UpMbps is not null);

    private static double? Nullable(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
}
