namespace Berth.Networking.Dns;

/// <summary>The parsed head of a DNS query: id, flags, the (lower-cased, dot-less) name, type and class.</summary>
public readonly record struct DnsQuestion(ushort Id, ushort Flags, string Name, ushort Type, ushort Class, int QuestionEnd, int MaxUdpSize)
{
    public int Opcode => (Flags >> 11) & 0xF;
}
