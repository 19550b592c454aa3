using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Berth.Networking.Model;
using Berth.Platform.Files;

namespace Berth.Networking.Store;

/// <summary>
/// Networking state on disk, one JSON file per network and per sandbox under
/// &lt;data-root&gt;/network/{networks,sandboxes}/. Each write goes to a temporary file that is
/// renamed over the old one (<see cref="AtomicFile"/>), so a crash leaves either the old or the new file, never half of one.
/// IP and port allocations are not stored separately: they are rebuilt from the sandboxes.
/// </summary>
public sealed class NetworkStore
{
    private readonly string _networks;
    private readonly string _sandboxes;

    public NetworkStore(string dataRoot)
    {
        Root = Path.Combine(dataRoot, "network");
        _networks = Path.Combine(Root, "networks");
        _sandboxes = Path.Combine(Root, "sandboxes");
        StateDirectory.Ensure(Root, StateDirectory.Private);
        Directory.CreateDirectory(_networks);
        Directory.CreateDirectory(_sandboxes);
    }

    public string Root { get; }

    public IReadOnlyList<NetworkRecord> LoadNetworks() => Load(_networks, NetworkingJsonContext.Default.NetworkRecord);

    public IReadOnlyList<SandboxRecord> LoadSandboxes() => Load(_sandboxes, NetworkingJsonContext.Default.SandboxRecord);

    public void Save(NetworkRecord network) => Write(Path.Combine(_networks, network.Id + ".json"), network, NetworkingJsonContext.Default.NetworkRecord);

    /// <summary>A sandbox describes a namespace and interfaces that a reboot takes away: runtime state, not fsync'd (see AtomicFile).</summary>
    public void Save(SandboxRecord sandbox) =>
        AtomicFile.WriteRuntimeState(Path.Combine(_sandboxes, sandbox.ContainerId + ".json"), JsonSerializer.SerializeToUtf8Bytes(sandbox, NetworkingJsonContext.Default.SandboxRecord));

    public void DeleteNetwork(string id) => File.Delete(Path.Combine(_networks, id + ".json"));

    public void DeleteSandbox(string containerId) => File.Delete(Path.Combine(_sandboxes, containerId + ".json"));

    private static List<T> Load<T>(string dir, JsonTypeInfo<T> type)
    {
        var list = new List<T>();
        foreach (var f in Directory.EnumerateFiles(dir, "*.json"))
        {
            try
            {
                var v = JsonSerializer.Deserialize(File.ReadAllBytes(f), type);
                if (v is not null)
                {
                    list.Add(v);
                }
            }
            catch (JsonException)
            {
                // A file we cannot read is left for inspection; the object it described is gone.
            }
        }

        AtomicFile.RemoveLeftovers(dir);
        foreach (var tmp in Directory.EnumerateFiles(dir, "*.tmp"))
        {
            File.Delete(tmp); // the names earlier versions used
        }

        return list;
    }

    private static void Write<T>(string path, T value, JsonTypeInfo<T> type) =>
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(value, type));
}
