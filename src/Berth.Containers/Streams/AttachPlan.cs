using Berth.Containers.Model;

namespace Berth.Containers.Streams;

/// <summary>A validated attach, ready to run once the HTTP connection is hijacked.</summary>
public sealed record AttachPlan(Container Container, AttachRequest Request, byte[] DetachKeys)
{
    /// <summary>Whether output is raw (TTY) rather than multiplexed.</summary>
    public bool Tty => Container.Config.Tty;
}
