namespace Berth.Images;

/// <summary>Where the image subsystem keeps its files (under the daemon's data root).</summary>
public sealed record ImageServiceOptions(string DataRoot)
{
    public string ContentRoot => Path.Combine(DataRoot, "content");

    public string SnapshotsRoot => Path.Combine(DataRoot, "snapshots");

    /// <summary>How far a compressed layer may expand (daemon.json layer-max-expanded-size, layer-max-expansion-ratio).</summary>
    public Berth.Storage.Layers.ExpansionLimit LayerExpansionLimit { get; init; } = Berth.Storage.Layers.ExpansionLimit.Default;

    /// <summary>Platform stamped on imported images and preferred when an index offers several.</summary>
    public string Os { get; init; } = "linux";

    public string Architecture { get; init; } = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        _ => "amd64",
    };

    /// <summary>
    /// Fault injection for crash tests, never set in production: a commit that reaches this point
    /// ("layer-written": the layer is whole in content/ingest but not stored; "layer-unpacked":
    /// the blob is stored and its staging snapshot whole, the image not yet recorded) creates
    /// <see cref="CommitHeldMarker"/> and waits there until the request ends, so a test can kill
    /// the daemon at exactly that moment. berthd takes it from BERTH_TEST_HOLD_COMMIT at start.
    /// </summary>
    public string? CommitHoldPoint { get; init; }

    public string CommitHeldMarker => Path.Combine(DataRoot, "commit-held");
}
