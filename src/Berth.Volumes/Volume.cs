namespace Berth.Volumes;

/// <summary>A volume as the engine knows it (Docker's Volume object without usage data).</summary>
public sealed record Volume
{
    /// <summary>Label Docker puts on volumes it creates for "-v /path" and image VOLUMEs.</summary>
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    public required string Name { get; init; }

    public string Driver { get; init; } = "local";

    /// <summary>Host path of the volume's data (&lt;data-root&gt;/volumes/NAME/_data).</summary>
    public string Mountpoint { get; init; } = string.Empty;

    public DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Driver options (local: type, device, o).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    public bool IsAnonymous => Labels.ContainsKey(AnonymousLabel);
}
