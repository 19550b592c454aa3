namespace Berth.Containers.Model;

/// <summary>Docker's restart policy: "no", "always", "unless-stopped" or "on-failure" with an optional retry limit.</summary>
public sealed record RestartPolicy(string Name, int MaximumRetryCount)
{
    public const string No = "no";
    public const string Always = "always";
    public const string UnlessStopped = "unless-stopped";
    public const string OnFailure = "on-failure";

    [System.Text.Json.Serialization.JsonIgnore]
    public static RestartPolicy None { get; } = new(No, 0);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsNone => Name is No or "";

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsAlways => Name == Always;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsUnlessStopped => Name == UnlessStopped;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOnFailure => Name == OnFailure;
}
