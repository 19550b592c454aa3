namespace Berth.Daemon;

/// <summary>Identity of this build of the engine, as reported by /version and /info.</summary>
public static class DaemonInfo
{
    public const string Version = "28.2.2-berth";
    public const string Name = "berthd";
}
