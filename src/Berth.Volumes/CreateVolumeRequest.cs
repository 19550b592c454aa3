namespace Berth.Volumes;

public sealed record CreateVolumeRequest
{
    /// <summary>Empty: an anonymous volume with a random 64-hex name.</summary>
    public string Name { get; init; } = string.Empty;

    public string Driver { get; init; } = string.Empty;

    public IReadOnlyDictionary<string, string>? DriverOpts { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}
