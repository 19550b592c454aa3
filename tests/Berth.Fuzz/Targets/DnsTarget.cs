using System.Buffers.Binary;
using Berth.Networking.Dns;

namespace Berth.Fuzz.Targets;

/// <summary>A datagram from a container to the embedded DNS server: the query parser and every reply built from it.</summary>
public static class DnsTarget
{
    private static readonly uint[] Addresses = [0xAC120002, 0xAC120003, 0xAC120004];

    public static void Run(byte[] data)
    {
        var reply = new byte[4096];
        if (!DnsWire.TryParseQuery(data, out var q))
        {
            var n = DnsWire.WriteFormatError(reply, data);
            Check(n is 0 or DnsWire.HeaderSize, "format error reply size");
            return;
        }

        Check(q.QuestionEnd > DnsWire.HeaderSize && q.QuestionEnd <= data.Length, "question end inside the datagram");
        Check(q.Name.Length <= 253, "name within 253 characters");
        Check(q.MaxUdpSize is >= 512 and <= 4096, "UDP size within 512..4096");

        // As the server answers: A records within the client's size, a PTR, an empty reply.
        var len = DnsWire.WriteAddresses(reply, data, q, Addresses, 600, q.MaxUdpSize);
        Check(len <= Math.Max(q.MaxUdpSize, q.QuestionEnd), "reply within the client's UDP size");
        var truncated = (reply[2] & 0x02) != 0;
        var records = DnsWire.ReadARecords(reply.AsSpan(0, len), out var rcode, out var tc);
        Check(rcode == DnsWire.RcodeOk && tc == truncated, "reply header");
        Check(truncated ? Addresses.AsSpan().StartsWith(records.ToArray()) : records.SequenceEqual(Addresses), "the answers are the addresses given");
        Check(BinaryPrimitives.ReadUInt16BigEndian(reply) == q.Id, "the reply carries the query's id");

        len = DnsWire.WritePtr(reply, data, q, "c1.net.example", 600);
        Check(DnsWire.ReadPtr(reply.AsSpan(0, len)) == "c1.net.example.", "PTR answer");
        len = DnsWire.WriteEmpty(reply, data, q, DnsWire.RcodeNxDomain);
        Check(len == q.QuestionEnd && (reply[3] & 0xF) == DnsWire.RcodeNxDomain, "empty reply");
    }

    public static List<byte[]> Seeds()
    {
        var withEdns = DnsWire.BuildQuery(7, "web.example", DnsWire.TypeA).Concat(new byte[] { 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0 }).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(withEdns.AsSpan(10), 1);
        return
        [
            DnsWire.BuildQuery(1, "web", DnsWire.TypeA),
            DnsWire.BuildQuery(2, "Some.Service.Example", DnsWire.TypeAaaa),
            DnsWire.BuildQuery(3, "4.3.2.1.in-addr.arpa", DnsWire.TypePtr),
            DnsWire.BuildQuery(4, "x", DnsWire.TypeMx, recursionDesired: false),
            withEdns,
        ];
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"DNS invariant broken: {what}");
        }
    }
}
