using Berth.Containers.Model;

namespace Berth.Containers.Query;

/// <summary>One row of a listing; sizes only when asked for.</summary>
public sealed record ContainerListItem(Container Container, long? SizeRw, long? SizeRootFs);
