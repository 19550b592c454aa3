namespace Berth.Containers.Model;

/// <summary>Docker's container state words (the values of State.Status and the status= filter).</summary>
public static class ContainerStatus
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Restarting = "restarting";
    public const string Removing = "removing";
    public const string Exited = "exited";
    public const string Dead = "dead";

    public static IReadOnlyList<string> All { get; } = [Created, Running, Paused, Restarting, Removing, Exited, Dead];
}
