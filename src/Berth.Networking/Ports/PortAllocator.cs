using Berth.Core.Errors;

namespace Berth.Networking.Ports;

/// <summary>
/// Host ports in use, per protocol and host address, like Docker's port allocator: a fixed port
/// is refused when taken ("Bind for 0.0.0.0:8080 failed: port is already allocated"), a random
/// one is the next free port of the ephemeral range after the last one given. 0.0.0.0 clashes
/// with every specific address of the same port (both would receive the same connections).
/// Not thread-safe: the owning service serialises access.
/// </summary>
public sealed class PortAllocator
{
    private readonly Dictionary<(string Proto, int Port), HashSet<string>> _used = [];
    private readonly int _ephemeralStart;
    private readonly int _ephemeralEnd;
    private readonly Dictionary<string, int> _last = new(StringComparer.Ordinal);

    public PortAllocator(int ephemeralStart, int ephemeralEnd)
    {
        _ephemeralStart = ephemeralStart;
        _ephemeralEnd = ephemeralEnd;
    }

    /// <summary>Reads the kernel's ip_local_port_range (Docker's choice too), falling back to 49153-65535.</summary>
    public static (int Start, int End) ReadEphemeralRange(string? text)
    {
        var parts = (text ?? string.Empty).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && int.TryParse(parts[0], out var s) && int.TryParse(parts[1], out var e) && s > 0 && e >= s
            ? (s, e)
            : (49153, 65535);
    }

    /// <summary>Takes a port for <paramref name="hostIp"/>: any free one in [start, end], or an ephemeral one when both are 0.</summary>
    public int Allocate(string proto, string hostIp, int start, int end)
    {
        if (start == 0 && end == 0)
        {
            var key = $"{proto}/{hostIp}";
            var span = _ephemeralEnd - _ephemeralStart + 1;
            var last = _last.TryGetValue(key, out var l) ? l : _ephemeralStart - 1;
            for (var i = 0; i < span; i++)
            {
                var p = last + 1 + i;
                if (p > _ephemeralEnd)
                {
                    p = _ephemeralStart + ((p - _ephemeralStart) % span);
                }

                if (IsFree(proto, hostIp, p))
                {
                    Take(proto, hostIp, p);
                    _last[key] = p;
                    return p;
                }
            }

            throw BerthException.Conflict($"Bind for {hostIp} failed: all ports are allocated");
        }

        for (var p = start; p <= end; p++)
        {
            if (IsFree(proto, hostIp, p))
            {
                Take(proto, hostIp, p);
                return p;
            }
        }

        var shown = start == end ? start.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{start}-{end}";
        throw BerthException.Conflict($"Bind for {hostIp}:{shown} failed: port is already allocated");
    }

    /// <summary>Marks a port as used when restoring state.</summary>
    public void Restore(string proto, string hostIp, int port) => Take(proto, hostIp, port);

    public void Release(string proto, string hostIp, int port)
    {
        if (_used.TryGetValue((proto, port), out var ips))
        {
            ips.Remove(hostIp);
            if (ips.Count == 0)
            {
                _used.Remove((proto, port));
            }
        }
    }

    public bool IsFree(string proto, string hostIp, int port) =>
        !_used.TryGetValue((proto, port), out var ips) || (hostIp != "0.0.0.0" && !ips.Contains("0.0.0.0") && !ips.Contains(hostIp));

    private void Take(string proto, string hostIp, int port)
    {
        if (!_used.TryGetValue((proto, port), out var ips))
        {
            _used[(proto, port)] = ips = new HashSet<string>(StringComparer.Ordinal);
        }

        ips.Add(hostIp);
    }
}
