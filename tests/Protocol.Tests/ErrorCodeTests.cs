using Virt.Protocol.Errors;

namespace Virt.Protocol.Tests;

public class ErrorCodeTests
{
    [Fact]
    public void Every_code_round_trips_through_its_wire_name()
    {
        foreach (var code in Enum.GetValues<ErrorCode>())
            Assert.Equal(code, ErrorCodeNames.FromWireName(code.WireName()));
        Assert.Null(ErrorCodeNames.FromWireName("NOT_A_CODE"));
    }
}
