using System.Text.Json.Serialization;

namespace Berth.Api.Containers;

/// <summary>Docker's container <c>Config</c> (create request body and inspect's Config).</summary>
public class ContainerConfig
{
    public string? Hostname { get; init; }

    public string? Domainname { get; init; }

    public string? User { get; init; }

    public bool AttachStdin { get; init; }

    public bool AttachStdout { get; init; }

    public bool AttachStderr { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, EmptyObject>? ExposedPorts { get; init; }

    public bool Tty { get; init; }

    public bool OpenStdin { get; init; }

    public bool StdinOnce { get; init; }

    public List<string>? Env { get; init; }

    [JsonConverter(typeof(StrSliceConverter))]
    public List<string>? Cmd { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HealthConfig? Healthcheck { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? ArgsEscaped { get; init; }

    public string? Image { get; init; }

    public Dictionary<string, EmptyObject>? Volumes { get; init; }

    public string? WorkingDir { get; init; }

    [JsonConverter(typeof(StrSliceConverter))]
    public List<string>? Entrypoint { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? NetworkDisabled { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MacAddress { get; init; }

    public List<string>? OnBuild { get; init; }

    public Dictionary<string, string>? Labels { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StopSignal { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? StopTimeout { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Shell { get; init; }
}
