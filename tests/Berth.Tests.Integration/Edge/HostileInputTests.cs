using System.Text;
using System.Text.Json;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Edge;

public sealed class HostileInputDaemon() : DaemonFixture("hostile")
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _ready;

    /// <summary>The running container "target" the per-container cases address.</summary>
    public async Task ReadyAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (!_ready)
            {
                await Daemon.DockerOkAsync("run", "-d", "--name", "target", "busybox", "sleep", "3600");
                _ready = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>
/// What a hostile or careless client sends to each route (names, image references, IDs with odd
/// bytes, overlong values, query values that are no numbers or booleans, filters of the wrong
/// shape or with unknown values) is refused at the edge with dockerd's status and words, never a
/// 500 and never taken: each row was sent as raw HTTP to dockerd 20.10 and to berthd. Where
/// dockerd 20.10 answers 500 because it does not classify a parse error (limit=abc, t=abc, a bad
/// tag at tag and commit, a malformed names value at save), berthd answers 400 with the same words,
/// as later dockerd versions do. A trailing newline passed .NET's "$" in every name pattern, so
/// "ab\n" was accepted as a container name, a volume name, a repository and a tag.
/// </summary>
public sealed class HostileInputTests(HostileInputDaemon fixture) : IClassFixture<HostileInputDaemon>
{
    private const string InvalidName = "only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed";
    private const string Busybox = """{"Image":"busybox"}""";
    private static readonly string Long = new('a', 300);

    private readonly BerthDaemon _d = fixture.Daemon;

    private static string Q(string value) => Uri.EscapeDataString(value);

    public static TheoryData<string, string, string?, int, string> Cases() => new()
    {
        // Container names at create: dockerd's pattern, the whole value (no trailing newline).
        { "POST", $"/containers/create?name={Q("a/b")}", Busybox, 400, $"Invalid container name (a/b), {InvalidName}" },
        { "POST", $"/containers/create?name={Q("-abc")}", Busybox, 400, $"Invalid container name (-abc), {InvalidName}" },
        { "POST", $"/containers/create?name={Q(".abc")}", Busybox, 400, "Invalid container name (.abc)" },
        { "POST", $"/containers/create?name={Q("a b")}", Busybox, 400, "Invalid container name (a b)" },
        { "POST", $"/containers/create?name={Q("a\0b")}", Busybox, 400, "Invalid container name (a\0b)" },
        { "POST", $"/containers/create?name={Q("ab\n")}", Busybox, 400, "Invalid container name (ab\n)" },
        { "POST", $"/containers/create?name={Q("a")}", Busybox, 400, "Invalid container name (a)" },
        { "POST", $"/containers/create?name={Q("é")}", Busybox, 400, "Invalid container name (é)" },
        { "POST", $"/containers/create?name={Q("/a/b")}", Busybox, 400, "Invalid container name (/a/b)" },

        // Image references at create: a 400, never the 404 that makes clients pull.
        { "POST", "/containers/create?name=img1", """{"Image":"UPPER"}""", 400, "invalid reference format" },
        { "POST", "/containers/create?name=img2", """{"Image":"a b"}""", 400, "invalid reference format" },
        { "POST", "/containers/create?name=img3", """{"Image":"busybox:bad:tag"}""", 400, "invalid reference format" },
        { "POST", "/containers/create?name=img4", """{"Image":"busybox\n"}""", 400, "invalid reference format" },

        // Rename: dockerd's words, with the name's leading slash.
        { "POST", $"/containers/target/rename?name={Q("a/b")}", null, 400, $"Error when allocating new name: Invalid container name (/a/b), {InvalidName}" },
        { "POST", $"/containers/target/rename?name={Q("-x")}", null, 400, "Error when allocating new name: Invalid container name (/-x)" },
        { "POST", $"/containers/target/rename?name={Q("ab\n")}", null, 400, "Error when allocating new name: Invalid container name (/ab\n)" },
        { "POST", "/containers/target/rename?name=", null, 400, "Neither old nor new names may be empty" },

        // Query values: Go's strconv words; 64-bit values are numbers.
        { "GET", "/containers/json?limit=abc", null, 400, "strconv.Atoi: parsing \"abc\": invalid syntax" },
        { "GET", "/containers/json?limit=99999999999", null, 200, "target" },
        { "GET", "/containers/json?limit=-5", null, 200, "target" },
        { "GET", "/containers/json?limit=99999999999999999999", null, 400, "strconv.Atoi: parsing \"99999999999999999999\": value out of range" },
        { "POST", "/containers/nonexist/stop?t=abc", null, 400, "strconv.Atoi: parsing \"abc\": invalid syntax" },
        { "POST", "/containers/nonexist/stop?t=99999999999", null, 404, "No such container: nonexist" },
        { "POST", "/containers/target/kill?signal=BOGUS", null, 400, "Invalid signal: BOGUS" },
        { "POST", "/containers/target/resize?h=abc&w=1", null, 400, "strconv.Atoi: parsing \"abc\": invalid syntax" },
        { "GET", "/containers/target/stats?stream=1&one-shot=1", null, 400, "cannot have stream=true and one-shot=true" },
        { "GET", "/containers/target/archive?path=", null, 400, "cannot be empty" },
        { "POST", "/containers/target/exec", """{"Cmd":[]}""", 400, "No exec command specified" },
        { "GET", "/networks/nonexist?verbose=maybe", null, 400, "invalid value for verbose: maybe: strconv.ParseBool: parsing \"maybe\": invalid syntax" },
        { "GET", "/events?since=abc&until=1", null, 400, "abc" },

        // Filters: unknown keys and values, and shapes that are not Docker's two.
        { "GET", $"/containers/json?filters={Q("""{"bogus":["x"]}""")}", null, 400, "filter 'bogus'" },
        { "GET", $"/containers/json?filters={Q("""{"status":["bogus"]}""")}", null, 400, "filter 'status=bogus'" },
        { "GET", $"/containers/json?filters={Q("""{"label":{"a":"yes"}}""")}", null, 400, "filter 'label'" },
        { "GET", $"/containers/json?filters={Q("notjson")}", null, 400, "invalid filter" },
        { "POST", $"/containers/prune?filters={Q("""{"until":["bad"]}""")}", null, 400, "failed to parse value as time or duration: \"bad\"" },
        { "GET", $"/images/json?filters={Q("""{"dangling":["maybe"]}""")}", null, 400, "filter 'dangling=" },
        { "POST", $"/images/prune?filters={Q("""{"bogus":["x"]}""")}", null, 400, "filter 'bogus'" },
        { "GET", $"/networks?filters={Q("""{"type":["bogus"]}""")}", null, 400, "'type'='bogus'" },
        { "GET", $"/networks?filters={Q("""{"dangling":["maybe"]}""")}", null, 400, "dangling" },
        { "GET", $"/volumes?filters={Q("""{"dangling":["maybe"]}""")}", null, 400, "filter 'dangling=" },
        { "POST", $"/volumes/prune?filters={Q("""{"bogus":["x"]}""")}", null, 400, "filter 'bogus'" },

        // IDs in the path with odd bytes or too long: not found, in the resource's words.
        { "GET", "/containers/a%0Ab/json", null, 404, "a\nb" },
        { "GET", "/containers/%FF%FE/json", null, 404, "No such container" },
        { "GET", $"/containers/{Long}/json", null, 404, "No such container" },
        { "GET", "/exec/nonexist/json", null, 404, "No such exec instance: nonexist" },
        { "POST", "/exec/a%0Ab/start", "{}", 404, "No such exec instance" },
        { "GET", $"/exec/{Long}/json", null, 404, "No such exec instance" },
        { "GET", $"/networks/{Long}", null, 404, "not found" },
        { "GET", $"/volumes/{Long}", null, 404, "no such volume" },

        // Image references in paths and queries: 400 before any look-up.
        { "GET", "/images/UPPER/json", null, 400, "invalid reference format" },
        { "GET", "/images/UPPER/history", null, 400, "invalid reference format" },
        { "DELETE", "/images/UPPER", null, 400, "invalid reference format" },
        { "GET", "/images/a%20b/json", null, 400, "invalid reference format" },
        { "GET", "/images/busybox:bad:tag/json", null, 400, "invalid reference format" },
        { "DELETE", "/images/busybox:bad:tag", null, 400, "invalid reference format" },
        { "GET", $"/images/{Long}/json", null, 400, "repository name must not be more than 255 characters" },
        { "GET", "/images/sha256:zz/json", null, 404, "No such image" },
        { "GET", "/images/get?names=UPPER", null, 400, "invalid reference format" },
        { "GET", "/images/get?names=nonexist", null, 404, "No such image: nonexist" },
        { "GET", "/images/UPPER/get", null, 400, "invalid reference format" },
        { "POST", "/images/create?fromImage=UPPER", null, 400, "invalid reference format" },
        { "POST", $"/images/create?fromImage=busybox&tag={Q("bad:tag")}", null, 400, "invalid tag format" },
        { "POST", "/images/create?fromImage=busybox&tag=-x", null, 400, "invalid tag format" },
        { "POST", "/images/busybox/tag?repo=UPPER", null, 400, "invalid reference format" },
        { "POST", $"/images/busybox/tag?repo=busybox&tag={Q("bad:tag")}", null, 400, "invalid tag format" },
        { "POST", $"/images/busybox/tag?repo={Q("nl\n")}", null, 400, "invalid reference format" },
        { "POST", $"/images/busybox/tag?repo=nl&tag={Q("x\n")}", null, 400, "invalid tag format" },
        { "POST", $"/images/busybox/tag?repo=x&tag={new string('a', 200)}", null, 400, "invalid tag format" },
        { "POST", $"/commit?container=target&repo=UPPER", null, 400, "invalid reference format" },
        { "POST", $"/commit?container=target&repo=busybox&tag={Q("bad:tag")}", null, 400, "invalid tag format" },
        { "POST", $"/commit?container=target&repo={Long}", null, 400, "repository name must not be more than 255 characters" },

        // Networks and volumes.
        { "POST", "/networks/create", """{"Name":""}""", 400, string.Empty },
        { "POST", "/networks/bridge/connect", """{"Container":""}""", 400, "invalid name or ID supplied: \"\"" },
        { "POST", "/networks/bridge/connect", "{}", 400, "invalid name or ID supplied: \"\"" },
        { "POST", "/volumes/create", """{"Name":"vv\n"}""", 400, "includes invalid characters for a local volume name" },
    };

    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public async Task Answers_hostile_values_with_dockers_status_and_message(string method, string path, string? body, int status, string message)
    {
        await fixture.ReadyAsync();
        await ApiAnswer.AssertAsync(_d.Http, method, "/v1.41" + path, body, status, message);
    }

    [Fact]
    public async Task Refused_names_leave_nothing_behind()
    {
        await fixture.ReadyAsync();
        var names = await _d.DockerOkAsync("ps", "-a", "--format", "{{json .Names}}");
        Assert.DoesNotContain("\\n", names, StringComparison.Ordinal);
        Assert.Equal("\"target\"", names.Trim());
        Assert.DoesNotContain("nl", await _d.DockerOkAsync("images", "--format", "{{.Repository}}:{{.Tag}}"), StringComparison.Ordinal);
        Assert.Equal(string.Empty, await _d.DockerOkAsync("volume", "ls", "-q"));
        var volumes = Path.Combine(_d.DataRoot, "volumes");
        Assert.False(Directory.Exists(volumes) && Directory.EnumerateDirectories(volumes).Any(d => d.Contains('\n', StringComparison.Ordinal)));
    }
}
