namespace EdgeAgent.Media.Link;

/// <summary>
/// What is known of the room's network path, measured at <see cref="MeasuredAt"/> by <see cref="Source"/> (the
/// compliance network probe, the SRT connection of a lesson): round trip, loss, and the bandwidths, each null when
/// that source did not measure it.
/// </summary>
public sealed record LinkPath(DateTimeOffset MeasuredAt, string Source, double? RttMs, double? LossPercent, double? UpMbps, double? DownMbps);
