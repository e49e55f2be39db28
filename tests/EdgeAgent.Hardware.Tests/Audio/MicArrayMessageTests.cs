using EdgeAgent.Hardware.Audio;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Tests.Audio;

public class MicArrayMessageTests
{
    [Fact]
    public void Reports_samples_and_errors_parse()
    {
        var mute = MicArrayMessage.Parse("< REP 0 AUDIO_MUTE ON ");
        Assert.Equal((MicArrayMessageKind.Report, 0, "AUDIO_MUTE", "ON"), (mute.Kind, mute.Channel, mute.Parameter, mute.Value));
        Assert.True(mute.ParseOnOff());
        var rate = MicArrayMessage.Parse("< REP METER_RATE 100 ");
        Assert.Equal((null, "METER_RATE", "100"), (rate.Channel, rate.Parameter, rate.Value));
        Assert.Equal([45, 0, 60], MicArrayMessage.Parse("< SAMPLE 045 000 060 ").Samples);
        Assert.Equal(MicArrayMessageKind.Error, MicArrayMessage.Parse("< REP ERR ").Kind);
        Assert.Equal(-6.5, MicArrayMessage.Parse("< REP 2 AUDIO_GAIN_HI_RES 1035 ").ParseGainDb());
    }

    [Theory]
    [InlineData("REP 0 AUDIO_MUTE ON")]
    [InlineData("<")]
    [InlineData("< REP 0 AUDIO_MUTE")]
    [InlineData("< SAMPLE 45 ")]
    [InlineData("< SAMPLE 061 ")]
    [InlineData("< SAMPLE ")]
    [InlineData("< REP 999 AUDIO_MUTE ON ")]
    [InlineData("< REP 0 audio-mute ON ")]
    [InlineData("< HELLO ")]
    public void Malformed_frames_are_protocol_errors(string frame) =>
        Assert.Throws<DeviceProtocolException>(() => MicArrayMessage.Parse(frame));
}
