namespace Berth.Client;

/// <summary>Where the engine listens: a unix socket path or a TCP host and port.</summary>
public sealed record DaemonEndpoint(bool IsUnix, string Path, string Host, int Port, string Original)
{
    public const string DefaultHost = "unix:///run/berth/berth.sock";

    /// <summary>TLS for a tcp:// endpoint (null: plain).</summary>
    public ClientTls? Tls { get; init; }

    /// <summary>Whether a tcp:// address named its port (without one docker uses 2376 with TLS, 2375 without).</summary>
    public bool PortGiven { get; init; }

    /// <summary>This endpoint with TLS settings; a TLS endpoint without a port gets docker's TLS port, 2376.</summary>
    public DaemonEndpoint WithTls(ClientTls? tls) =>
        this with { Tls = tls, Port = tls is not null && !IsUnix && !PortGiven ? 2376 : Port };

    /// <summary>
    /// The CLI's order: <c>-H/--host</c>, then <c>BERTH_HOST</c>, then <c>DOCKER_HOST</c>, then the
    /// default socket.
    /// </summary>
    public static DaemonEndpoint Resolve(string? hostFlag, Func<string, string?> environment)
    {
        var host = FirstNonEmpty(hostFlag, environment("BERTH_HOST"), environment("DOCKER_HOST")) ?? DefaultHost;
        return Parse(host);
    }

    /// <summary>Parses docker's host forms: <c>unix:///path</c>, <c>tcp://host:port</c>, <c>host:port</c>.</summary>
    public static DaemonEndpoint Parse(string host)
    {
        var text = host.Trim();
        if (text.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = text["unix://".Length..];
            if (path.Length == 0)
            {
                throw new FormatException($"invalid bind address ({host}): empty string");
            }

            return new DaemonEndpoint(true, path, string.Empty, 0, text);
        }

        if (text.StartsWith('/'))
        {
            return new DaemonEndpoint(true, text, string.Empty, 0, "unix://" + text);
        }

        if (text.StartsWith("tcp://", StringComparison.Ordinal) || text.StartsWith("http://", StringComparison.Ordinal))
        {
            text = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        }
        else if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new FormatException($"unsupported protocol in host {host}: only unix:// and tcp:// are supported");
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            text = text[..slash];
        }

        var colon = text.LastIndexOf(':');
        var name = colon >= 0 ? text[..colon] : text;
        var port = 2375;
        if (colon >= 0 && !int.TryParse(text.AsSpan(colon + 1), global::System.Globalization.NumberStyles.None, global::System.Globalization.CultureInfo.InvariantCulture, out port))
        {
            throw new FormatException($"invalid bind address ({host}): invalid port");
        }

        if (name.Length == 0)
        {
            name = "127.0.0.1";
        }

        return new DaemonEndpoint(false, string.Empty, name.Trim('[', ']'), port, "tcp://" + text) { PortGiven = colon >= 0 };
    }

    private static string? FirstNonEmpty(params string?[] values)
    {
        foreach (var v in values)
        {
            if (!string.IsNullOrEmpty(v))
            {
                return v;
            }
        }

        return null;
    }
}
