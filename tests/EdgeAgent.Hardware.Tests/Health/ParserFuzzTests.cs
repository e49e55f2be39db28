using System.Text;
using CsCheck;
using EdgeAgent.Hardware.Audio;
using EdgeAgent.Hardware.Cameras;
using EdgeAgent.Hardware.Displays;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Hardware.Transport;

namespace EdgeAgent.Hardware.Tests.Health;

/// <summary>
/// Random, truncated and mutated replies to every parser: each either parses or ends as a typed
/// <see cref="DeviceException"/>; no other exception escapes.
/// </summary>
public class ParserFuzzTests
{
    private const long Iterations = 20_000;

    private static void TypedOrOk(Action parse)
    {
        try
        {
            parse();
        }
        catch (DeviceException)
        {
        }
    }

    // Bytes near the real ones are more interesting than uniform noise: mix both.
    private static readonly Gen<byte> ViscaByte = Gen.OneOf(Gen.Byte, Gen.OneOf<byte>(0x90, 0x41, 0x51, 0x61, 0x50, 0xFF, 0x00, 0x01, 0x11, 0x02, 0x0F));

    [Fact]
    public void Visca_datagrams() =>
        ViscaByte.Array[0, 30].Sample(bytes => TypedOrOk(() =>
        {
            var packet = ViscaIpPacket.Decode(bytes);
            var reply = ViscaReply.Parse(packet.Payload);
            if (reply.Kind == ViscaReplyKind.Completion && reply.Data.Length >= 4) ViscaReply.Nibbles(reply.Data, 0, 4);
        }), iter: Iterations);

    [Fact]
    public void Visca_replies_truncated_at_every_length()
    {
        byte[][] real = [[0x90, 0x41, 0xFF], [0x90, 0x51, 0xFF], [0x90, 0x61, 0x41, 0xFF], [0x90, 0x50, 0x0F, 0x0E, 0x0D, 0x04, 0x00, 0x01, 0x02, 0x03, 0xFF]];
        foreach (var r in real)
            for (var n = 0; n <= r.Length; n++)
                TypedOrOk(() => ViscaReply.Parse(r.AsSpan(0, n)));
    }

    private static readonly Gen<string> PjLinkLine = Gen.OneOf(
        Gen.String,
        Gen.Char[' ', '~'].Array[0, 150].Select(c => new string(c)),
        Gen.OneOf("%1POWR=", "%1ERST=", "%1LAMP=", "%1INPT=", "%1AVMT=", "%2SNUM=", "PJLINK ", "PJLINK 1 ", "%1CLSS=")
            .SelectMany(prefix => Gen.Char["0 9AZ%=?"].Array[0, 24].Select(tail => prefix + new string(tail))));

    [Fact]
    public void PjLink_greetings_responses_and_values() =>
        PjLinkLine.Sample(line => TypedOrOk(() =>
        {
            TypedOrOk(() => PjLinkReply.ParseGreeting(line));
            var command = line.Length >= 6 ? line[2..6] : "POWR";
            var value = PjLinkReply.ParseResponse(line, line.Length > 1 && line[1] == '2' ? 2 : 1, command);
            TypedOrOk(() => PjLinkReply.ParsePower(value));
            TypedOrOk(() => PjLinkReply.ParseErrorStatus(value));
            TypedOrOk(() => PjLinkReply.ParseLamps(value));
            TypedOrOk(() => PjLinkReply.ParseInputs(value));
            TypedOrOk(() => PjLinkReply.ParseAvMute(value));
            TypedOrOk(() => PjLinkReply.ParseClass(value));
        }), iter: Iterations);

    private static readonly Gen<string> MicFrame = Gen.OneOf(
        Gen.String,
        Gen.OneOf("< REP ", "< SAMPLE ", "< REP 0 AUDIO_MUTE ", "< REP 3 AUDIO_GAIN_HI_RES ", "<", "< REP ERR")
            .SelectMany(prefix => Gen.Char["0 19ONFERA_<>"].Array[0, 30].Select(tail => prefix + new string(tail))));

    [Fact]
    public void Mic_array_frames() =>
        MicFrame.Sample(frame => TypedOrOk(() =>
        {
            var m = MicArrayMessage.Parse(frame);
            TypedOrOk(() => m.ParseOnOff());
            TypedOrOk(() => m.ParseGainDb());
        }), iter: Iterations);

    [Fact]
    public void Line_reader_on_random_streams() =>
        Gen.Byte.Array[0, 600].Select(Gen.OneOf((byte)'\r', (byte)'>')).Sample((bytes, terminator) => TypedOrOk(() =>
        {
            var reader = new LineReader(new MemoryStream(bytes), terminator, 136);
            while (reader.ReadLineAsync(CancellationToken.None).GetAwaiter().GetResult() is not null) { }
        }), iter: 5_000);

    [Fact]
    public void Astats_output() =>
        Gen.String.Sample(text => TypedOrOk(() => AlsaCaptureProbe.ParseAstats(text + "\nOverall\nRMS level dB: " + text)), iter: 5_000);
}
