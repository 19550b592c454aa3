using System.Buffers.Binary;
using System.Text;

namespace Berth.Platform.Net;

/// <summary>Reads the attributes of one netlink message (type → value spans) without allocating per attribute.</summary>
internal readonly ref struct NetlinkAttributes
{
    private readonly ReadOnlySpan<byte> _data;

    public NetlinkAttributes(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    public bool TryGet(ushort type, out ReadOnlySpan<byte> value)
    {
        var d = _data;
        while (d.Length >= 4)
        {
            var len = BinaryPrimitives.ReadUInt16LittleEndian(d);
            var t = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(d[2..]) & 0x3fff);
            if (len < 4 || len > d.Length)
            {
                break;
            }

            if (t == type)
            {
                value = d[4..len];
                return true;
            }

            var step = NetlinkMessageBuilder.Align(len);
            if (step >= d.Length)
            {
                break;
            }

            d = d[step..];
        }

        value = default;
        return false;
    }

    public string? GetString(ushort type)
    {
        if (!TryGet(type, out var v))
        {
            return null;
        }

        var nul = v.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? v[..nul] : v);
    }

    public uint? GetU32(ushort type) => TryGet(type, out var v) && v.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(v) : null;
}
