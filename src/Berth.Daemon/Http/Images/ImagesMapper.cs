using Berth.Api;
using Berth.Api.Images;
using Berth.Core.Model;
using Berth.Images;
using Berth.Images.Formats;

namespace Berth.Daemon.Http.Images;

/// <summary>
/// Image domain objects to Docker's wire shapes; every API-version difference of the image
/// resource lives here: VirtualSize (before 1.44), "&lt;none&gt;" placeholders for untagged images
/// (before 1.44), container.Config-shaped Config (before 1.50).
/// </summary>
public static class ImagesMapper
{
    /// <summary>
    /// A progress line of a message stream as dockerd's JSON progress output writes it: the bar is
    /// jsonmessage.JSONProgress.String for the 200 columns it assumes without a terminal, with no
    /// time left (the daemon sends no start time).
    /// </summary>
    public static ImageStreamMessage ToProgressMessage(string action, string id, long current, long total)
    {
        string? bar = null;
        if (current > 0 || total > 0)
        {
            var size = Berth.Core.Text.ByteSize.Human(current).PadLeft(8);
            if (total <= 0)
            {
                bar = size;
            }
            else
            {
                var percentage = Math.Min(50, (int)((double)current / total * 100) / 2);
                bar = "[" + new string('=', percentage) + ">" + new string(' ', 50 - percentage) + "] "
                    + (current > total ? size : size + "/" + Berth.Core.Text.ByteSize.Human(total));
            }
        }

        return new ImageStreamMessage
        {
            Status = action,
            ProgressDetail = new ImageStreamProgress { Current = current, Total = total },
            Progress = bar,
            Id = id,
        };
    }

    public static ImageSummary ToSummary(ImageView v, string apiVersion)
    {
        var r = v.Record;
        var old = ApiVersions.Compare(apiVersion, "1.44") < 0;
        var tags = r.RepoTags;
        var digests = r.RepoDigests;
        if (old && tags.Count == 0 && digests.Count == 0)
        {
            tags = ["<none>:<none>"];
            digests = ["<none>@<none>"];
        }

        return new ImageSummary
        {
            Id = r.Id,
            ParentId = r.Parent,
            RepoTags = tags,
            RepoDigests = digests,
            Created = (v.Entry.Parsed.Created ?? v.Entry.LoadedAt).ToUnixTimeSeconds(),
            Size = r.Size,
            SharedSize = v.SharedSize,
            VirtualSize = old ? r.Size : null,
            Labels = r.Config.Labels.Count == 0 ? null : r.Config.Labels,
            Containers = v.Containers,
        };
    }

    public static ImageInspectResponse ToInspect(ImageView v, string apiVersion)
    {
        var r = v.Record;
        var e = v.Entry;
        return new ImageInspectResponse
        {
            Id = r.Id,
            RepoTags = r.RepoTags,
            RepoDigests = r.RepoDigests,
            Parent = r.Parent,
            Comment = r.Comment,
            Created = e.Parsed.Created is { } c ? ImageConfigWriter.FormatTime(c) : null,
            Container = ApiVersions.Compare(apiVersion, "1.45") < 0 ? string.Empty : null,
            DockerVersion = r.DockerVersion,
            Author = r.Author,
            Config = ToConfig(r.Config, e.Parsed.Legacy, ApiVersions.Compare(apiVersion, "1.50") < 0),
            Architecture = r.Architecture,
            Variant = string.IsNullOrEmpty(r.Variant) ? null : r.Variant,
            Os = r.Os,
            OsVersion = string.IsNullOrEmpty(e.Parsed.OsVersion) ? null : e.Parsed.OsVersion,
            Size = r.Size,
            VirtualSize = ApiVersions.Compare(apiVersion, "1.44") < 0 ? r.Size : null,
            GraphDriver = new GraphDriverData("overlay2", v.GraphDriverData),
            RootFS = new ImageRootFs("layers", r.DiffIds),
            Metadata = new ImageMetadata { LastTagTime = e.LastTagTime is { } t ? ImageConfigWriter.FormatTime(t) : null },
        };
    }

    public static ImageInspectConfig ToConfig(ImageConfig c, Berth.Images.Model.LegacyConfigFields legacy, bool containerConfigShape)
    {
        var health = c.Healthcheck is { } h
            ? new Berth.Api.Containers.HealthConfig { Test = h.Test?.ToList(), Interval = h.Interval, Timeout = h.Timeout, StartPeriod = h.StartPeriod, StartInterval = h.StartInterval, Retries = h.Retries }
            : null;
        var config = new ImageInspectConfig
        {
            User = string.IsNullOrEmpty(c.User) ? null : c.User,
            ExposedPorts = c.ExposedPorts.Count == 0 ? null : c.ExposedPorts.ToDictionary(p => p, _ => new EmptyObject(), StringComparer.Ordinal),
            Env = c.Env.Count == 0 ? null : c.Env,
            Cmd = c.Cmd,
            Healthcheck = health,
            ArgsEscaped = c.ArgsEscaped ? true : null,
            Volumes = c.Volumes.Count == 0 ? null : c.Volumes.ToDictionary(p => p, _ => new EmptyObject(), StringComparer.Ordinal),
            WorkingDir = string.IsNullOrEmpty(c.WorkingDir) ? null : c.WorkingDir,
            Entrypoint = c.Entrypoint,
            OnBuild = c.OnBuild is { Count: > 0 } ob ? ob : null,
            Labels = c.Labels.Count == 0 ? null : c.Labels,
            StopSignal = string.IsNullOrEmpty(c.StopSignal) ? null : c.StopSignal,
            Shell = c.Shell is { Count: > 0 } sh ? sh : null,
        };
        if (!containerConfigShape)
        {
            return config;
        }

        return config with
        {
            Hostname = legacy.Hostname,
            Domainname = legacy.Domainname,
            User = c.User ?? string.Empty,
            AttachStdin = legacy.AttachStdin,
            AttachStdout = legacy.AttachStdout,
            AttachStderr = legacy.AttachStderr,
            Tty = legacy.Tty,
            OpenStdin = legacy.OpenStdin,
            StdinOnce = legacy.StdinOnce,
            Image = legacy.Image,
            WorkingDir = c.WorkingDir ?? string.Empty,
        };
    }

    public static ImageHistoryResponseItem ToHistory(HistoryItem h) =>
        new(h.Id, h.Created?.ToUnixTimeSeconds() ?? 0, h.CreatedBy, h.Tags, h.Size, h.Comment);

    public static ImageDeleteResponseItem ToDelete(DeleteResponseItem d) => new() { Untagged = d.Untagged, Deleted = d.Deleted };
}
