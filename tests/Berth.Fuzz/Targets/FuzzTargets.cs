using System.Text;

namespace Berth.Fuzz.Targets;

/// <summary>
/// Every parser that reads hostile input, as a fuzz target: bytes in, and an exception out only
/// for a bug (a parser's own refusal, such as a BerthException with Docker's message, is caught
/// inside the target). The fuzz driver (Program.cs) and the unit tests that replay the crashing
/// inputs kept under tests/Berth.Tests.Unit/Fuzz/regressions use the same targets.
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["dns"] = DnsTarget.Run,
        ["hijack-head"] = HijackHeadTarget.Run,
        ["layer-tar"] = LayerTarTarget.Run,
        ["json-log"] = JsonLogTarget.Run,
        ["local-log"] = LocalLogTarget.Run,
        ["go-template"] = GoTemplateTarget.Run,
        ["filters"] = FiltersTarget.Run,
    };

    /// <summary>Seeds for each target's corpus: small valid inputs the fuzzer mutates.</summary>
    public static IReadOnlyList<byte[]> Seeds(string target) => target switch
    {
        "dns" => DnsTarget.Seeds(),
        "hijack-head" => HijackHeadTarget.Seeds(),
        "layer-tar" => LayerTarTarget.Seeds(),
        "json-log" => JsonLogTarget.Seeds(),
        "local-log" => LocalLogTarget.Seeds(),
        "go-template" => Texts("{{.Names}}", "table {{.ID}}\t{{.Image}}", "{{json .}}", "{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", "{{index .Labels \"a\"}}", "{{if eq .State \"running\"}}up{{else}}down{{end}}", "{{printf \"%s-%d\" .Names 3}}", "{{with .Config}}{{.Image}}{{end}}", "{{$x := .ID}}{{$x}}", "{{- .ID -}}", "{{/* c */}}{{len .Mounts}}", "{{.Labels.a | printf \"%q\"}}"),
        "filters" => Texts("{\"label\":{\"a=b\":true}}", "{\"status\":[\"running\",\"exited\"]}", "{\"dangling\":{\"true\":true},\"until\":[\"10m\"]}", "{\"since\":[\"2025-01-01T00:00:00Z\"]}", "{\"until\":[\"1700000000.5\"]}", "{}", "{\"name\":[\"x\"]}"),
        _ => throw new ArgumentException($"no fuzz target {target}", nameof(target)),
    };

    private static List<byte[]> Texts(params string[] texts) => [.. texts.Select(Encoding.UTF8.GetBytes)];
}
