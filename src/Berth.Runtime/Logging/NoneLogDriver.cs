namespace Berth.Runtime.Logging;

/// <summary>Docker's none driver: the output goes to attached clients only; `docker logs` refuses.</summary>
internal sealed class NoneLogDriver : LogDriver
{
    public override string Name => "none";

    public override ILogFormat? Format => null;

    public override string LogPath(string containerDir, string id) => string.Empty;

    protected override void ValidateKey(string key)
    {
    }

    protected override LogRotation ParseRotation(IReadOnlyDictionary<string, string> options) => LogRotation.Unlimited;
}
