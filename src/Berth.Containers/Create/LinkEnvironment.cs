using System.Globalization;

namespace Berth.Containers.Create;

/// <summary>
/// The variables a legacy link (<c>--link name:alias</c> on the default bridge) gives the linking
/// container, as dockerd 20.10 writes them: ALIAS_PORT (the lowest port, TCP first),
/// ALIAS_PORT_N_PROTO[_ADDR|_PORT|_PROTO] per exposed port, _START/_END lines for a run of
/// consecutive ports, ALIAS_NAME=/parent/alias and ALIAS_ENV_X for the linked container's
/// environment (HOME and PATH left out).
/// </summary>
public static class LinkEnvironment
{
    /// <param name="linkName">"/parent/alias": the parent container's name and the alias.</param>
    /// <param name="childIp">The linked container's address on the default bridge.</param>
    /// <param name="childEnv">The linked container's configured environment.</param>
    /// <param name="exposedPorts">The linked container's exposed ports ("80/tcp", "53/udp", "8080").</param>
    public static IReadOnlyList<string> For(string linkName, string childIp, IReadOnlyList<string> childEnv, IEnumerable<string> exposedPorts)
    {
        ArgumentNullException.ThrowIfNull(linkName);
        ArgumentNullException.ThrowIfNull(childEnv);
        ArgumentNullException.ThrowIfNull(exposedPorts);
        var alias = linkName[(linkName.LastIndexOf('/') + 1)..].ToUpperInvariant().Replace('-', '_');
        var ports = exposedPorts.Select(Parse).Where(p => p.Number > 0).ToList();
        ports.Sort(static (a, b) => a.Number != b.Number ? a.Number.CompareTo(b.Number)
            : a.Proto == b.Proto ? 0
            : a.Proto == "tcp" ? -1
            : b.Proto == "tcp" ? 1
            : string.CompareOrdinal(a.Proto, b.Proto));

        var env = new List<string>();
        if (ports.Count > 0)
        {
            env.Add($"{alias}_PORT={ports[0].Proto}://{childIp}:{N(ports[0].Number)}");
        }

        for (var i = 0; i < ports.Count;)
        {
            var p = ports[i];
            var j = LastOfRun(ports, i);
            if (j > i + 1)
            {
                var q = ports[j];
                var prefix = $"{alias}_PORT_{N(p.Number)}_{p.Proto.ToUpperInvariant()}";
                env.Add($"{prefix}_START={p.Proto}://{childIp}:{N(p.Number)}");
                env.Add($"{prefix}_ADDR={childIp}");
                env.Add($"{prefix}_PROTO={p.Proto}");
                env.Add($"{prefix}_PORT_START={N(p.Number)}");
                var endPrefix = $"{alias}_PORT_{N(p.Number)}_{q.Proto.ToUpperInvariant()}";
                env.Add($"{endPrefix}_END={q.Proto}://{childIp}:{N(q.Number)}");
                env.Add($"{endPrefix}_PORT_END={N(q.Number)}");
                i = j + 1;
            }
            else
            {
                i++;
            }
        }

        foreach (var p in ports)
        {
            var prefix = $"{alias}_PORT_{N(p.Number)}_{p.Proto.ToUpperInvariant()}";
            env.Add($"{prefix}={p.Proto}://{childIp}:{N(p.Number)}");
            env.Add($"{prefix}_ADDR={childIp}");
            env.Add($"{prefix}_PORT={N(p.Number)}");
            env.Add($"{prefix}_PROTO={p.Proto}");
        }

        env.Add($"{alias}_NAME={linkName}");
        foreach (var e in childEnv)
        {
            var eq = e.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }

            var key = e[..eq];
            if (key is "HOME" or "PATH")
            {
                continue;
            }

            env.Add($"{alias}_ENV_{key}={e[(eq + 1)..]}");
        }

        return env;
    }

    /// <summary>
    /// The index where the run of ports starting at <paramref name="start"/> ends. dockerd counts
    /// one step per entry, not per number, so the same number under two protocols extends the run
    /// (7000/tcp, 7001/tcp, 7001/udp, 7002/tcp is one run ending at 7002/tcp).
    /// </summary>
    private static int LastOfRun(List<(int Number, string Proto)> ports, int start)
    {
        var value = ports[start].Number;
        for (var i = start + 1; i < ports.Count; i++)
        {
            if (ports[i].Number > value + 1)
            {
                return i - 1;
            }

            value++;
        }

        return ports.Count - 1;
    }

    private static (int Number, string Proto) Parse(string port)
    {
        var slash = port.IndexOf('/', StringComparison.Ordinal);
        var number = slash < 0 ? port : port[..slash];
        var proto = slash < 0 ? "tcp" : port[(slash + 1)..].ToLowerInvariant();
        return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? (n, proto) : (0, proto);
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
