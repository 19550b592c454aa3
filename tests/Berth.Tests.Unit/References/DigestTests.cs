using Berth.Core.Errors;
using Berth.Core.References;

namespace Berth.Tests.Unit.References;

public sealed class DigestTests
{
    [Fact]
    public void Compute_is_sha256_in_lower_hex()
    {
        var d = Digest.Compute("abc"u8);
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", d.ToString());
        Assert.Equal("ba7816bf8f01", d.Short);
    }

    [Theory]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", true)]
    [InlineData("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", false)]
    [InlineData("sha256:ba7816", false)]
    [InlineData("md5:ba7816bf8f01cfea414140de5dae2223", false)]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", false)]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag", false)]
    public void Parse_accepts_only_well_formed_digests(string text, bool ok)
    {
        Assert.Equal(ok, Digest.TryParse(text, out var d));
        if (ok)
        {
            Assert.Equal(text, d.ToString());
        }
        else
        {
            Assert.Throws<BerthException>(() => Digest.Parse(text));
        }
    }
}
