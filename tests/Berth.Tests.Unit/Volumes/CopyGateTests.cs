using Berth.Core.Events;
using Berth.Volumes;

namespace Berth.Tests.Unit.Volumes;

/// <summary>The per-volume copy-up gates exist only while used: a long-running daemon keeps none per volume it ever touched.</summary>
public sealed class CopyGateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-gates-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Gates_are_dropped_when_their_last_user_leaves()
    {
        var svc = new VolumeService(_root, new EventBus(TimeProvider.System), TimeProvider.System, () => null);
        var source = Path.Combine(_root, "image-dir");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "f"), "x");
        for (var i = 0; i < 20; i++)
        {
            var v = svc.Create(new CreateVolumeRequest { Name = "v" + i });
            Assert.True(svc.CopyUpIfEmpty(v.Name, source));
            Assert.False(svc.CopyUpIfEmpty(v.Name, source));
        }

        Assert.Equal(0, svc.CopyGatesInUse);
    }

    [Fact]
    public async Task A_gate_shared_by_waiters_lives_until_the_last_one_leaves()
    {
        var gates = new KeyedGates();
        var first = gates.Enter("v");
        var waiter = Task.Run(() =>
        {
            using (gates.Enter("v"))
            {
                Assert.Equal(1, gates.Count);
            }
        });

        // The waiter is blocked on the gate; the gate survives the first holder leaving.
        Assert.Equal(1, gates.Count);
        first.Dispose();
        await waiter;
        Assert.Equal(0, gates.Count);
    }
}
