using System.Net;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Net;

/// <summary>
/// The kernel behind <see cref="INetworkKernel"/>: one <see cref="NamespaceThread"/> living in
/// the home namespace, rtnetlink (<see cref="Netlink"/>) and libnftables (<see cref="Nftables"/>)
/// opened once at home and per work item inside a container's namespace (only when used),
/// sysctls under /proc/sys of the thread's namespace, namespaces bound with nsfs mounts.
/// </summary>
public sealed class LinuxNetworkKernel : INetworkKernel
{
    private readonly NamespaceThread _thread;
    private readonly Namespace _home;

    /// <summary>The namespace the thread is in during a work item (only touched on the thread).</summary>
    private Namespace? _current;

    /// <param name="name">Name of the namespace thread, for diagnostics.</param>
    /// <param name="homeNamespace">Namespace that plays the host; null = the process's own.</param>
    public LinuxNetworkKernel(string name, string? homeNamespace = null)
    {
        _thread = new NamespaceThread(name, homeNamespace);
        _home = new Namespace(this);
        try
        {
            // The home handles are used from inside other namespaces too (the host end of a
            // veth), so they are opened now, at home.
            _thread.RunAsync(() =>
            {
                _home.OpenAtHome();
                return 0;
            }).GetAwaiter().GetResult();
        }
        catch
        {
            _thread.Dispose();
            throw;
        }
    }

    public Task<T> RunAsync<T>(Func<INetworkNamespace, T> work) => _thread.RunAsync(() => Run(_home, () => work(_home)));

    public Task<T> RunInAsync<T>(string namespacePath, Func<INetworkNamespace, INetworkNamespace, T> work) =>
        _thread.RunInAsync(namespacePath, () =>
        {
            using var inside = new Namespace(this);
            return Run(inside, () => work(_home, inside));
        });

    public Task<T> RunInNewAsync<T>(string bindPath, Func<INetworkNamespace, INetworkNamespace, T> work) =>
        _thread.RunInNewAsync(bindPath, () =>
        {
            using var inside = new Namespace(this);
            return Run(inside, () => work(_home, inside));
        });

    public Task RemoveBoundAsync(string path) => _thread.RunAsync(() =>
    {
        NetNamespace.RemoveBound(path);
        return 0;
    });

    public IReadOnlySet<string> ListBound(string directory) => NetNamespace.ListBound(directory);

    public void Dispose()
    {
        try
        {
            _thread.RunAsync(() =>
            {
                _home.Dispose();
                return 0;
            }).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // the thread is broken (stuck in another namespace) or gone: its handles die with the process
        }

        _thread.Dispose();
    }

    private T Run<T>(Namespace current, Func<T> work)
    {
        _current = current;
        try
        {
            return work();
        }
        finally
        {
            _current = null;
        }
    }

    /// <summary>
    /// A namespace during a work item. Netlink and the namespace's descriptor are bound to the
    /// namespace the thread is in when they are opened: the home ones are opened at start, those
    /// of a container's namespace on first use (a DNS upstream socket needs neither). Sysctls,
    /// nftables and sockets act on the thread's current namespace, so they are refused on a
    /// namespace the thread is not in.
    /// </summary>
    private sealed class Namespace(LinuxNetworkKernel kernel) : INetworkNamespace, IDisposable
    {
        private Netlink? _netlink;
        private Nftables? _nftables;
        private SafeFileHandle? _handle;

        private Netlink Nl => _netlink ??= Here().OpenNetlink();

        public void OpenAtHome()
        {
            _netlink = Netlink.Open();
            _handle = NetNamespace.OpenCurrent();
        }

        public IReadOnlyList<LinkInfo> ListLinks() => Nl.ListLinks();

        public LinkInfo? GetLink(string name) => Nl.GetLink(name);

        public void CreateBridge(string name, int mtu = 0, byte[]? mac = null) => Nl.CreateBridge(name, mtu, mac);

        public void CreateVeth(VethSpec spec, INetworkNamespace? peer) =>
            Nl.CreateVeth(spec with { PeerNamespace = HandleOf(peer) });

        public void CreateMacvlan(SubLinkSpec spec, MacvlanMode mode, INetworkNamespace? target) =>
            Nl.CreateMacvlan(spec with { Namespace = HandleOf(target) }, mode);

        public void CreateIpvlan(SubLinkSpec spec, IpvlanMode mode, INetworkNamespace? target) =>
            Nl.CreateIpvlan(spec with { Namespace = HandleOf(target) }, mode);

        public bool DeleteLink(string name) => Nl.DeleteLink(name);

        public void SetUp(int index) => Nl.SetUp(index);

        public void SetMtu(int index, int mtu) => Nl.SetMtu(index, mtu);

        public void AddAddress(int index, IPAddress address, int prefixLength) => Nl.AddAddress(index, address, prefixLength);

        public IReadOnlyList<AddressInfo> ListAddresses() => Nl.ListAddresses();

        public void AddRoute(IPAddress? destination, int prefixLength, IPAddress? gateway, int outIndex, bool replace = false) =>
            Nl.AddRoute(destination, prefixLength, gateway, outIndex, replace);

        public IReadOnlyList<RouteInfo> ListRoutes() => Nl.ListRoutes();

        public string RunNftables(string batch) => (Here()._nftables ??= Nftables.Create()).Run(batch);

        public string? ReadSysctl(string path)
        {
            Here();
            return Sysctl.Read(path);
        }

        public void WriteSysctl(string path, string value)
        {
            Here();
            Sysctl.Write(path, value);
        }

        public Socket OpenSocket(SocketType type, ProtocolType protocol, IPEndPoint? bindTo = null)
        {
            Here();
            var s = new Socket(AddressFamily.InterNetwork, type, protocol);
            try
            {
                if (bindTo is not null)
                {
                    if (type == SocketType.Stream)
                    {
                        s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    }

                    s.Bind(bindTo);
                }

                return s;
            }
            catch
            {
                s.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            _netlink?.Dispose();
            _nftables?.Dispose();
            _handle?.Dispose();
            _netlink = null;
            _nftables = null;
            _handle = null;
        }

        /// <summary>The namespace's file descriptor, for links created directly inside it (opened on the thread while it is there).</summary>
        private SafeFileHandle Handle => _handle ??= Here().OpenHandle();

        private Netlink OpenNetlink() => Netlink.Open();

        private SafeFileHandle OpenHandle() => NetNamespace.OpenCurrent();

        private Namespace Here() => ReferenceEquals(kernel._current, this)
            ? this
            : throw new InvalidOperationException("this namespace is not the one the work item runs in (or the work item has ended)");

        private static SafeFileHandle? HandleOf(INetworkNamespace? target) => target switch
        {
            null => null,
            Namespace n => n.Handle,
            _ => throw new ArgumentException("a namespace of another kernel", nameof(target)),
        };
    }
}
