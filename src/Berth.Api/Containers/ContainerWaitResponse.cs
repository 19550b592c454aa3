namespace Berth.Api.Containers;

public sealed record ContainerWaitResponse(ContainerWaitExitError? Error, int StatusCode);
