using EdgeAgent.Hardware.Displays;
using EdgeAgent.Hardware.Health;

namespace EdgeAgent.Hardware.Tests.Displays;

public class PjLinkReplyTests
{
    [Theory]
    [InlineData("00000")]
    [InlineData("0000000")]
    [InlineData("0000a0")]
    [InlineData("000300")]
    [InlineData("00 000")]
    [InlineData("")]
    public void ERST_of_wrong_length_or_with_non_digits_is_rejected(string value) =>
        Assert.Throws<DeviceProtocolException>(() => PjLinkReply.ParseErrorStatus(value));

    [Theory]
    [InlineData("12 1 34 0 56 1", 3)]
    [InlineData("99999 0", 1)]
    [InlineData("0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1", 8)]
    public void LAMP_with_one_to_eight_lamps_parses(string value, int count) =>
        Assert.Equal(count, PjLinkReply.ParseLamps(value).Count);

    [Theory]
    [InlineData("12")]
    [InlineData("12 2")]
    [InlineData("123456 1")]
    [InlineData("-1 1")]
    [InlineData("12 1 ")]
    [InlineData("0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1")]
    public void Malformed_LAMP_is_rejected(string value) =>
        Assert.Throws<DeviceProtocolException>(() => PjLinkReply.ParseLamps(value));

    [Theory]
    [InlineData("%1POWR=1", "1")]
    [InlineData("%1powr=OK", "OK")]
    [InlineData("%1NAME=", "")]
    public void Responses_yield_their_value(string line, string value) =>
        Assert.Equal(value, PjLinkReply.ParseResponse(line, 1, "POWR".Length == 4 && line[2..6].Equals("NAME", StringComparison.OrdinalIgnoreCase) ? "NAME" : "POWR"));

    [Theory]
    [InlineData("%2POWR=1")]
    [InlineData("%1INPT=1")]
    [InlineData("%1POWR 1")]
    [InlineData("POWR=1")]
    [InlineData("%1POW")]
    public void Responses_for_another_class_or_command_or_malformed_are_rejected(string line) =>
        Assert.Throws<DeviceProtocolException>(() => PjLinkReply.ParseResponse(line, 1, "POWR"));

    [Theory]
    [InlineData("PJLINK 0", null)]
    [InlineData("PJLINK 1 498e4a67", "498e4a67")]
    public void Greetings_parse(string line, string? random) => Assert.Equal(random, PjLinkReply.ParseGreeting(line));

    [Theory]
    [InlineData("PJLINK 2")]
    [InlineData("PJLINK 1 zzzzzzzz")]
    [InlineData("PJLINK 1 498e4a6")]
    [InlineData("HELLO")]
    public void Malformed_greetings_are_rejected(string line) => Assert.Throws<DeviceProtocolException>(() => PjLinkReply.ParseGreeting(line));
}
