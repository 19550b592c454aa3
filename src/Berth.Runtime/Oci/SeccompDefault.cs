using Berth.Core.Errors;

namespace Berth.Runtime.Oci;

/// <summary>
/// The daemon's default seccomp profile (dockerd's --seccomp-profile / daemon.json
/// "seccomp-profile"): what a container gets when it is not privileged and its --security-opt
/// names no profile.
/// </summary>
public sealed record SeccompDefault
{
    /// <summary>Docker's value for the built-in profile (dockerd 23+; "" means the same).</summary>
    public const string Builtin = "builtin";

    /// <summary>Docker's value for "no seccomp filter by default".</summary>
    public const string Unconfined = "unconfined";

    /// <summary>
    /// Berth's own value: the built-in profile for the host's native architecture only. Docker's
    /// profile also lists the 32-bit sub-architectures (x86 and x32 on amd64); runc 1.1 compiles
    /// its filter once per architecture, which costs 30–40 ms per container start here. With
    /// this value a 32-bit binary's first system call hits the filter's bad-architecture action
    /// and the thread is killed (SIGSYS); nothing Docker denies is allowed either way.
    /// </summary>
    public const string BuiltinNative = "builtin-native";

    private SeccompDefault(string name, SeccompProfile? profile, bool includeSubArchitectures)
    {
        Name = name;
        Profile = profile;
        IncludeSubArchitectures = includeSubArchitectures;
    }

    /// <summary>Docker's default: the built-in profile with every sub-architecture.</summary>
    public static SeccompDefault Docker { get; } = new(Builtin, SeccompCompiler.DefaultProfile, includeSubArchitectures: true);

    /// <summary>What docker info reports ("builtin", "builtin-native", "unconfined" or the file's path).</summary>
    public string Name { get; }

    /// <summary>The profile to compile; null when containers run unconfined by default.</summary>
    public SeccompProfile? Profile { get; }

    /// <summary>Whether the archMap's sub-architectures are filtered (allowed) too, as Docker does.</summary>
    public bool IncludeSubArchitectures { get; }

    /// <summary>
    /// Reads a --seccomp-profile value as dockerd does: "" or "builtin" (the built-in profile),
    /// "unconfined", or the path of a profile in Docker's JSON format, read and checked now so a
    /// bad file stops the daemon at start rather than failing every container later. Berth adds
    /// "builtin-native" (see <see cref="BuiltinNative"/>).
    /// </summary>
    public static SeccompDefault Parse(string? value)
    {
        switch (value)
        {
            case null or "" or Builtin:
                return Docker;
            case BuiltinNative:
                return new SeccompDefault(BuiltinNative, SeccompCompiler.DefaultProfile, includeSubArchitectures: false);
            case Unconfined:
                return new SeccompDefault(Unconfined, null, includeSubArchitectures: false);
        }

        string json;
        try
        {
            json = File.ReadAllText(value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw BerthException.Invalid($"opening seccomp profile ({value}) failed: {e.Message}");
        }

        try
        {
            return new SeccompDefault(value, SeccompCompiler.ParseProfile(json), includeSubArchitectures: true);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw BerthException.Invalid($"loading seccomp profile ({value}) failed: {e.Message}");
        }
    }
}
