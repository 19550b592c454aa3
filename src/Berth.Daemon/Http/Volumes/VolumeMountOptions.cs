using System.Text.Json;

namespace Berth.Daemon.Http.Volumes;

/// <summary>Mount.VolumeOptions of a container create request (NoCopy, Labels, DriverConfig, Subpath).</summary>
public sealed record VolumeMountOptions(bool NoCopy, IReadOnlyDictionary<string, string>? Labels, string Driver, IReadOnlyDictionary<string, string>? DriverOptions, string Subpath = "")
{
    public static VolumeMountOptions Parse(JsonElement? element)
    {
        if (element is not { ValueKind: JsonValueKind.Object } e)
        {
            return new VolumeMountOptions(false, null, string.Empty, null);
        }

        var noCopy = false;
        Dictionary<string, string>? labels = null;
        var driver = string.Empty;
        Dictionary<string, string>? options = null;
        var subpath = string.Empty;
        foreach (var p in e.EnumerateObject())
        {
            switch (p.Name.ToUpperInvariant())
            {
                case "NOCOPY":
                    noCopy = p.Value.ValueKind == JsonValueKind.True;
                    break;
                case "LABELS":
                    labels = Strings(p.Value);
                    break;
                case "DRIVERCONFIG" when p.Value.ValueKind == JsonValueKind.Object:
                    foreach (var d in p.Value.EnumerateObject())
                    {
                        if (d.Name.Equals("Name", StringComparison.OrdinalIgnoreCase) && d.Value.ValueKind == JsonValueKind.String)
                        {
                            driver = d.Value.GetString() ?? string.Empty;
                        }
                        else if (d.Name.Equals("Options", StringComparison.OrdinalIgnoreCase))
                        {
                            options = Strings(d.Value);
                        }
                    }

                    break;
                case "SUBPATH" when p.Value.ValueKind == JsonValueKind.String:
                    subpath = p.Value.GetString() ?? string.Empty;
                    break;
                default:
                    break;
            }
        }

        return new VolumeMountOptions(noCopy, labels, driver, options, subpath);
    }

    private static Dictionary<string, string>? Strings(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            result[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? string.Empty : p.Value.GetRawText();
        }

        return result;
    }
}
