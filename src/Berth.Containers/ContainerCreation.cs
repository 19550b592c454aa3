using Berth.Containers.Create;
using Berth.Containers.Model;
using Berth.Containers.Naming;
using Berth.Core.Errors;
using Berth.Core.Ids;
using Berth.Images;

namespace Berth.Containers;

/// <summary>
/// docker create: validates as Docker does, resolves the image, reserves the name, prepares the
/// writable layer, the volumes and the network settings, and writes the record last (until it
/// exists the container does not, whatever a crash leaves behind).
/// </summary>
internal sealed class ContainerCreation(ContainerCore core, ContainerNetworking networking, ContainerVolumes volumes) : ContainerOwner(core), IContainerCreator
{
    public async Task<CreateContainerResult> CreateAsync(CreateContainerRequest request, CancellationToken cancellationToken)
    {
        var userConfig = request.Config;
        if (string.IsNullOrEmpty(userConfig.Image))
        {
            throw BerthException.Invalid("config cannot be empty in order to create a container");
        }

        var name = string.IsNullOrEmpty(request.Name) ? null : ContainerNames.Normalize(request.Name);
        CreateValidator.ValidateConfig(userConfig);
        if (request.Platform is { Length: > 0 } platform && !platform.StartsWith("linux", StringComparison.Ordinal))
        {
            throw BerthException.Invalid($"image operating system \"{platform}\" cannot be used on this platform");
        }

        var (hostConfig, warnings) = CreateValidator.PrepareHostConfig(request.HostConfig, _options);
        ValidateNamespaceModes(hostConfig);
        if (hostConfig.NetworkMode == "host" && (hostConfig.PortBindings is { Count: > 0 } || hostConfig.PublishAllPorts))
        {
            warnings.Add("Published ports are discarded when using host network mode");
            hostConfig = hostConfig with { PortBindings = null, PublishAllPorts = false };
        }

        var image = await _images.ResolveAsync(userConfig.Image, cancellationToken).ConfigureAwait(false);
        var merged = ConfigMerger.Merge(userConfig, image.Config);
        var networkEndpoints = await networking.PrepareNetworkAsync(hostConfig, merged, request.NetworkEndpoints, cancellationToken).ConfigureAwait(false);
        CreateValidator.ValidateHealth(merged.Healthcheck);
        var (path, args) = ConfigMerger.EntrypointAndArgs(merged);
        var mounts = MountParser.Parse(hostConfig);
        if (!hostConfig.Privileged)
        {
            hostConfig = hostConfig with
            {
                MaskedPaths = hostConfig.MaskedPaths ?? LaunchBuilder.DefaultMaskedPaths,
                ReadonlyPaths = hostConfig.ReadonlyPaths ?? LaunchBuilder.DefaultReadonlyPaths,
            };
        }

        var id = IdGenerator.NewId();
        name = ReserveName(name, id);
        var dir = _store.DirectoryOf(id);
        var created = false;
        try
        {
            foreach (var bind in hostConfig.Binds ?? [])
            {
                // -v creates a missing host directory, as Docker does (--mount refuses instead: checked in MountParser).
                var source = MountParser.ParseBind(bind).Source;
                if (source.Length > 0 && !Path.Exists(source))
                {
                    Directory.CreateDirectory(source);
                }
            }

            if (merged.Hostname.Length == 0)
            {
                merged = merged with { Hostname = hostConfig.NetworkMode == "host" ? System.Net.Dns.GetHostName() : id[..12] };
            }

            mounts = volumes.ResolveVolumeMounts(mounts, merged, hostConfig);
            Directory.CreateDirectory(dir);
            await _images.PrepareRootfsAsync(id, image, cancellationToken).ConfigureAwait(false);
            var container = new Container
            {
                Id = id,
                Name = name,
                Created = _time.GetUtcNow(),
                Path = path,
                Args = args,
                Config = merged,
                HostConfig = hostConfig,
                ImageId = image.Id,
                Directory = dir,
                LogPath = hostConfig.LogConfig.Type == "local" ? Path.Combine(dir, "local-logs", "container.log") : Path.Combine(dir, id + "-json.log"),
                ResolvConfPath = Path.Combine(dir, "resolv.conf"),
                HostnamePath = Path.Combine(dir, "hostname"),
                HostsPath = Path.Combine(dir, "hosts"),
                Mounts = mounts,
                NetworkEndpoints = networkEndpoints,
                Platform = image.Os,
            };
            ContainerFiles.Write(container, _options);

            // The record is written last: until it exists the container does not exist (crash safety).
            Commit(container);
            created = true;
            Entry(id);
            Publish(container, "create");
            return new CreateContainerResult(id, warnings);
        }
        finally
        {
            if (!created)
            {
                _store.ReleaseName(name, id);
                await CleanupFailedCreateAsync(id, dir).ConfigureAwait(false);
            }
        }
    }

    private string ReserveName(string? requested, string id)
    {
        if (requested is not null)
        {
            _store.ReserveName(requested, id);
            return requested;
        }

        for (var attempt = 0; ; attempt++)
        {
            var candidate = NameGenerator.Generate(attempt > 5 ? attempt : 0);
            if (_store.IsNameTaken(candidate))
            {
                continue;
            }

            try
            {
                _store.ReserveName(candidate, id);
                return candidate;
            }
            catch (BerthException e) when (e.Kind == ErrorKind.Conflict)
            {
            }
        }
    }

    private void ValidateNamespaceModes(HostConfig hc)
    {
        foreach (var (mode, what) in new[] { (hc.NetworkMode, "network"), (hc.IpcMode, "ipc"), (hc.PidMode, "pid") })
        {
            if (mode.StartsWith("container:", StringComparison.Ordinal))
            {
                var target = mode["container:".Length..];
                if (target.Length == 0)
                {
                    throw BerthException.Invalid($"invalid {what} mode: {mode}");
                }

                _ = Get(target);
            }
        }
    }

    private async Task CleanupFailedCreateAsync(string id, string dir)
    {
        try
        {
            await _images.RemoveRootfsAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWarning(_logger, id, "removing the rootfs of a failed create", e);
        }

        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException e)
        {
            LogWarning(_logger, id, "removing the directory of a failed create", e);
        }
    }

    /// <summary>The image a container was created from is still needed by it (for rmi's refusal).</summary>
    internal static bool UsesImage(Container c, ImageRecord image) => c.ImageId == image.Id;
}
