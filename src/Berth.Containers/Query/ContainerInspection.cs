using Berth.Containers.Model;
using Berth.Core.Model;

namespace Berth.Containers.Query;

/// <summary>What docker inspect shows of one container: its record and what lives outside it.</summary>
/// <param name="Container">The record.</param>
/// <param name="Rootfs">Its writable layer (GraphDriver), null when unknown.</param>
/// <param name="ExecIds">Its exec instances that run or have not started (null when none, as Docker).</param>
/// <param name="SizeRw">Bytes in the writable layer, when asked.</param>
/// <param name="SizeRootFs">Image plus writable layer, when asked.</param>
public sealed record ContainerInspection(Container Container, RootfsMount? Rootfs, IReadOnlyList<string>? ExecIds, long? SizeRw, long? SizeRootFs);
