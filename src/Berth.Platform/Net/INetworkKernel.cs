namespace Berth.Platform.Net;

/// <summary>
/// The kernel's networking as the engine drives it: one home namespace (the host: bridges,
/// nftables, sysctls, published ports) and the bound namespaces of containers. Work items run one
/// at a time, in the order they were given, and may use the namespaces they are handed only while
/// they run (the real one runs them on a <see cref="NamespaceThread"/>, whose namespace is what
/// those handles act on). This is the only seam between the network controller and the OS:
/// <see cref="LinuxNetworkKernel"/> is the kernel, component tests use an in-memory fake, and
/// both pass the same contract suite (tests/Berth.Tests.Conformance/NetworkKernelContract.cs).
/// </summary>
public interface INetworkKernel : IDisposable
{
    /// <summary>Runs <paramref name="work"/> in the home namespace.</summary>
    Task<T> RunAsync<T>(Func<INetworkNamespace, T> work);

    /// <summary>Runs <paramref name="work"/> with the home namespace and the one bound at <paramref name="namespacePath"/> (an <see cref="IOException"/> when there is none).</summary>
    Task<T> RunInAsync<T>(string namespacePath, Func<INetworkNamespace, INetworkNamespace, T> work);

    /// <summary>
    /// Creates a new, empty namespace bound at <paramref name="bindPath"/> (it outlives the call
    /// through its bind mount) and runs <paramref name="work"/> with the home namespace and it.
    /// </summary>
    Task<T> RunInNewAsync<T>(string bindPath, Func<INetworkNamespace, INetworkNamespace, T> work);

    /// <summary>Unbinds and deletes a namespace file; the namespace and its interfaces die with its last user. Idempotent.</summary>
    Task RemoveBoundAsync(string path);

    /// <summary>The paths under <paramref name="directory"/> where a namespace is bound.</summary>
    IReadOnlySet<string> ListBound(string directory);
}
