using System.Buffers.Binary;
using System.Text;

namespace Berth.Platform.Net;

/// <summary>Builds one rtnetlink request: nlmsghdr, the family header, then 4-byte aligned attributes.</summary>
internal sealed class NetlinkMessageBuilder
{
    private byte[] _buf = new byte[512];
    private int _len;

    public NetlinkMessageBuilder(ushort type, ushort flags)
    {
        _len = 16;
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(6), flags);
    }

    public int Length => _len;

    /// <summary>ifinfomsg: family, type, index, flags, change.</summary>
    public NetlinkMessageBuilder IfInfo(int index, uint flags = 0, uint change = 0, byte family = 0)
    {
        var s = Reserve(16);
        s[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], change);
        return this;
    }

    /// <summary>ifaddrmsg: family, prefix length, flags, scope, index.</summary>
    public NetlinkMessageBuilder IfAddr(byte family, byte prefixLen, byte scope, int index)
    {
        var s = Reserve(8);
        s[0] = family;
        s[1] = prefixLen;
        s[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        return this;
    }

    /// <summary>rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags.</summary>
    public NetlinkMessageBuilder RtMsg(byte family, byte dstLen, byte table, byte protocol, byte scope, byte type)
    {
        var s = Reserve(12);
        s[0] = family;
        s[1] = dstLen;
        s[4] = table;
        s[5] = protocol;
        s[6] = scope;
        s[7] = type;
        return this;
    }

    public NetlinkMessageBuilder Attr(ushort type, ReadOnlySpan<byte> value)
    {
        var total = 4 + value.Length;
        var s = Reserve(Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], type);
        value.CopyTo(s[4..]);
        return this;
    }

    public NetlinkMessageBuilder AttrString(ushort type, string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return Attr(type, bytes);
    }

    public NetlinkMessageBuilder AttrU32(ushort type, uint value)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(v, value);
        return Attr(type, v);
    }

    public NetlinkMessageBuilder AttrU16(ushort type, ushort value)
    {
        Span<byte> v = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(v, value);
        return Attr(type, v);
    }

    public NetlinkMessageBuilder AttrU8(ushort type, byte value) => Attr(type, [value]);

    /// <summary>Starts a nested attribute; close it with <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        var start = _len;
        var s = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], type);
        return start;
    }

    public NetlinkMessageBuilder EndNested(int start)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(start), (ushort)(_len - start));
        return this;
    }

    /// <summary>Stamps length and sequence number and returns the wire bytes.</summary>
    public ReadOnlySpan<byte> Finish(uint seq)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buf, (uint)_len);
        BinaryPrimitives.WriteUInt32LittleEndian(_buf.AsSpan(8), seq);
        return _buf.AsSpan(0, _len);
    }

    private Span<byte> Reserve(int n)
    {
        if (_len + n > _buf.Length)
        {
            Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + n));
        }

        var s = _buf.AsSpan(_len, n);
        s.Clear();
        _len += n;
        return s;
    }

    internal static int Align(int n) => (n + 3) & ~3;
}
