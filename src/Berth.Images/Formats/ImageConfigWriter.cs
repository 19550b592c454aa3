using System.Globalization;
using System.Text.Json;
using Berth.Core.Model;
using Berth.Images.Model;

namespace Berth.Images.Formats;

/// <summary>
/// Writes a new image config (import, commit). The returned bytes are what gets stored and hashed
/// into the image ID; they are written once and never regenerated.
/// </summary>
public static class ImageConfigWriter
{
    public static byte[] Write(ParsedConfig p)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("architecture", p.Architecture);
            if (p.Author.Length > 0)
            {
                w.WriteString("author", p.Author);
            }

            if (p.Comment.Length > 0)
            {
                w.WriteString("comment", p.Comment);
            }

            w.WritePropertyName("config");
            WriteRunConfig(w, p.Config, p.Legacy);
            if (p.Created is { } created)
            {
                w.WriteString("created", FormatTime(created));
            }

            if (p.DockerVersion.Length > 0)
            {
                w.WriteString("docker_version", p.DockerVersion);
            }

            w.WriteStartArray("history");
            foreach (var h in p.History)
            {
                w.WriteStartObject();
                if (h.Created is { } hc)
                {
                    w.WriteString("created", FormatTime(hc));
                }

                if (h.Author.Length > 0)
                {
                    w.WriteString("author", h.Author);
                }

                if (h.CreatedBy.Length > 0)
                {
                    w.WriteString("created_by", h.CreatedBy);
                }

                if (h.Comment.Length > 0)
                {
                    w.WriteString("comment", h.Comment);
                }

                if (h.EmptyLayer)
                {
                    w.WriteBoolean("empty_layer", true);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("os", p.Os);
            if (p.Parent.Length > 0)
            {
                w.WriteString("parent", p.Parent);
            }

            w.WriteStartObject("rootfs");
            w.WriteString("type", "layers");
            w.WriteStartArray("diff_ids");
            foreach (var d in p.DiffIds)
            {
                w.WriteStringValue(d);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            if (p.Variant is { Length: > 0 } v)
            {
                w.WriteString("variant", v);
            }

            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    /// <summary>Go's time.RFC3339Nano: fraction without trailing zeros, "Z" for UTC.</summary>
    public static string FormatTime(DateTimeOffset t)
    {
        var u = t.ToUniversalTime();
        var s = u.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        var ticks = u.Ticks % TimeSpan.TicksPerSecond;
        if (ticks != 0)
        {
            s += "." + (ticks * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        return s + "Z";
    }

    private static void WriteRunConfig(Utf8JsonWriter w, ImageConfig c, LegacyConfigFields legacy)
    {
        w.WriteStartObject();
        if (legacy.Hostname.Length > 0)
        {
            w.WriteString("Hostname", legacy.Hostname);
        }

        if (legacy.Domainname.Length > 0)
        {
            w.WriteString("Domainname", legacy.Domainname);
        }

        if (!string.IsNullOrEmpty(c.User))
        {
            w.WriteString("User", c.User);
        }

        if (c.ExposedPorts.Count > 0)
        {
            w.WriteStartObject("ExposedPorts");
            foreach (var port in c.ExposedPorts)
            {
                w.WriteStartObject(port);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        if (c.Env.Count > 0)
        {
            WriteList(w, "Env", c.Env);
        }

        if (c.Entrypoint is { } ep)
        {
            WriteList(w, "Entrypoint", ep);
        }

        if (c.Cmd is { } cmd)
        {
            WriteList(w, "Cmd", cmd);
        }

        if (c.Healthcheck is { } h)
        {
            w.WriteStartObject("Healthcheck");
            if (h.Test is { } test)
            {
                WriteList(w, "Test", test);
            }

            if (h.Interval != 0)
            {
                w.WriteNumber("Interval", h.Interval);
            }

            if (h.Timeout != 0)
            {
                w.WriteNumber("Timeout", h.Timeout);
            }

            if (h.StartPeriod != 0)
            {
                w.WriteNumber("StartPeriod", h.StartPeriod);
            }

            if (h.StartInterval != 0)
            {
                w.WriteNumber("StartInterval", h.StartInterval);
            }

            if (h.Retries != 0)
            {
                w.WriteNumber("Retries", h.Retries);
            }

            w.WriteEndObject();
        }

        if (c.ArgsEscaped)
        {
            w.WriteBoolean("ArgsEscaped", true);
        }

        if (legacy.Image.Length > 0)
        {
            w.WriteString("Image", legacy.Image);
        }

        if (c.Volumes.Count > 0)
        {
            w.WriteStartObject("Volumes");
            foreach (var v in c.Volumes)
            {
                w.WriteStartObject(v);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        if (!string.IsNullOrEmpty(c.WorkingDir))
        {
            w.WriteString("WorkingDir", c.WorkingDir);
        }

        if (c.OnBuild is { Count: > 0 } ob)
        {
            WriteList(w, "OnBuild", ob);
        }

        if (c.Labels.Count > 0)
        {
            w.WriteStartObject("Labels");
            foreach (var (k, v) in c.Labels)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
        }

        if (!string.IsNullOrEmpty(c.StopSignal))
        {
            w.WriteString("StopSignal", c.StopSignal);
        }

        if (c.Shell is { Count: > 0 } sh)
        {
            WriteList(w, "Shell", sh);
        }

        w.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter w, string name, IEnumerable<string> items)
    {
        w.WriteStartArray(name);
        foreach (var i in items)
        {
            w.WriteStringValue(i);
        }

        w.WriteEndArray();
    }
}
