using Berth.Core.Errors;
using Berth.Core.References;

namespace Berth.Tests.Unit.References;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox", "busybox", null)]
    [InlineData("busybox:latest", "docker.io/library/busybox:latest", "busybox:latest", "latest")]
    [InlineData("library/busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "1.36")]
    [InlineData("docker.io/busybox", "docker.io/library/busybox", "busybox", null)]
    [InlineData("index.docker.io/library/busybox", "docker.io/library/busybox", "busybox", null)]
    [InlineData("user/app:v1", "docker.io/user/app:v1", "user/app:v1", "v1")]
    [InlineData("localhost/app", "localhost/app", "localhost/app", null)]
    [InlineData("localhost:5000/a/b:tag", "localhost:5000/a/b:tag", "localhost:5000/a/b:tag", "tag")]
    [InlineData("registry.example.com/team/app:1.0", "registry.example.com/team/app:1.0", "registry.example.com/team/app:1.0", "1.0")]
    [InlineData("127.0.0.1:5000/app", "127.0.0.1:5000/app", "127.0.0.1:5000/app", null)]
    [InlineData("[::1]:5000/app:x", "[::1]:5000/app:x", "[::1]:5000/app:x", "x")]
    [InlineData("redis:myBuild", "docker.io/library/redis:myBuild", "redis:myBuild", "myBuild")]
    [InlineData("a__b/c-d--e.f_g:T_1.x-y", "docker.io/a__b/c-d--e.f_g:T_1.x-y", "a__b/c-d--e.f_g:T_1.x-y", "T_1.x-y")]
    [InlineData("Example.com/app", "Example.com/app", "Example.com/app", null)]
    public void Valid_names_normalise_like_docker(string input, string full, string familiar, string? tag)
    {
        var r = ImageReference.Parse(input);
        Assert.Equal(full, r.ToString());
        Assert.Equal(familiar, r.FamiliarString);
        Assert.Equal(tag, r.Tag);
    }

    [Fact]
    public void Digest_references_keep_the_digest_and_default_tag_is_not_added()
    {
        var hex = new string('a', 64);
        var r = ImageReference.Parse($"busybox@sha256:{hex}");
        Assert.Equal($"docker.io/library/busybox@sha256:{hex}", r.ToString());
        Assert.Equal($"busybox@sha256:{hex}", r.FamiliarString);
        Assert.Same(r, r.WithDefaultTag());
        Assert.Equal("docker.io/library/busybox:latest", ImageReference.Parse("busybox").WithDefaultTag().ToString());
    }

    [Theory]
    [InlineData("Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase")]
    [InlineData("user/UPPER:v1", "invalid reference format: repository name (user/UPPER) must be lowercase")]
    [InlineData("", "invalid reference format")]
    [InlineData("busybox:", "invalid reference format")]
    [InlineData(":tag", "invalid reference format")]
    [InlineData("a//b", "invalid reference format")]
    [InlineData("-app", "invalid reference format")]
    [InlineData("app-", "invalid reference format")]
    [InlineData("app:-tag", "invalid reference format")]
    [InlineData("app@sha256:short", "invalid reference format")]
    [InlineData("a b", "invalid reference format")]
    [InlineData("app:tag with space", "invalid reference format")]
    public void Invalid_names_give_dockers_message(string input, string message)
    {
        var e = Assert.Throws<BerthException>(() => ImageReference.Parse(input));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_64_hex_name_is_refused_as_ambiguous_with_an_id()
    {
        var hex = new string('b', 64);
        var e = Assert.Throws<BerthException>(() => ImageReference.Parse(hex));
        Assert.Equal($"invalid repository name ({hex}), cannot specify 64-byte hexadecimal strings", e.Message);
    }

    [Fact]
    public void Tags_are_limited_to_128_characters_and_names_to_255()
    {
        Assert.True(ImageReference.TryParse("a:" + new string('t', 128), out _, out _));
        Assert.False(ImageReference.TryParse("a:" + new string('t', 129), out _, out _));
        Assert.False(ImageReference.TryParse("library/" + new string('n', 250), out _, out var error));
        Assert.Contains("must not be more than 255 characters", error, StringComparison.Ordinal);
    }
}
