namespace Berth.Platform.Net;

/// <summary>
/// Called on the poller's thread for each datagram: its bytes and the sender's raw sockaddr (pass
/// it back to <see cref="DatagramPoller.SendTo"/> to answer). Both spans are only valid during the call.
/// </summary>
public delegate void DatagramReceived(object state, ReadOnlySpan<byte> data, ReadOnlySpan<byte> peer);
