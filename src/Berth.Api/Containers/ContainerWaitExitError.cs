namespace Berth.Api.Containers;

public sealed record ContainerWaitExitError(string Message);
