namespace Berth.Platform.Net;

/// <summary>Kernel values of IFLA_MACVLAN_MODE.</summary>
public enum MacvlanMode
{
    Private = 1,
    Vepa = 2,
    Bridge = 4,
    Passthru = 8,
}
