namespace Berth.Runtime.Monitor;

/// <summary>
/// The monitor socket protocol. A client first sends one mode byte (<see cref="ModeAttach"/> or
/// <see cref="ModeWait"/>); then both sides exchange frames: [type:1][length:4, big endian][payload].
/// Monitor → client: <see cref="Stdout"/>/<see cref="Stderr"/> (attach only), <see cref="Warning"/>
/// (wait only, from version 2: text for berthd's log, such as log lines dropped on a full disk;
/// clients ignore frame types they do not know) and finally <see cref="Exit"/>.
/// Client → monitor: <see cref="StdinData"/>, <see cref="StdinClose"/>, <see cref="Resize"/> (payload "rows cols").
/// </summary>
public static class MonitorProtocol
{
    public const byte ModeAttach = (byte)'a';
    public const byte ModeWait = (byte)'w';

    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Exit = 3;
    public const byte Warning = 4;

    public const byte StdinData = 10;
    public const byte StdinClose = 11;
    public const byte Resize = 12;

    public const int HeaderSize = 5;

    public static void WriteHeader(Span<byte> dest, byte type, int length)
    {
        dest[0] = type;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(dest[1..], length);
    }
}
