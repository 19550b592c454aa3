namespace Berth.Platform.Net;

/// <summary>Kernel values of IFLA_IPVLAN_MODE.</summary>
public enum IpvlanMode
{
    L2 = 0,
    L3 = 1,
    L3s = 2,
}
