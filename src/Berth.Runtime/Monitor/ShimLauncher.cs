using Berth.Platform.Native;
using Berth.Platform.Processes;
using Berth.Platform.Sockets;

namespace Berth.Runtime.Monitor;

/// <summary>
/// Starts berth-shim processes for container starts and execs. Loading the program costs ~4 ms
/// before it does anything, on every start and exec; so once a shim has been needed, one spare is
/// kept started ahead, at idle priority, blocked on a socket. The next start hands the spare its
/// arguments and stdio over that socket instead of waiting for a new process. A daemon that has
/// not started anything keeps no spare; a spare whose daemon goes away reads end-of-file and exits.
/// </summary>
internal sealed class ShimLauncher : IDisposable
{
    /// <summary>Set to 0 in berthd's environment to start every monitor cold (for measurements).</summary>
    public const string SpareVariable = "BERTH_SPARE_MONITOR";

    private readonly bool _keepSpare = Environment.GetEnvironmentVariable(SpareVariable) != "0";
    private readonly object _gate = new();
    private Spare? _spare;
    private bool _refilling;
    private bool _disposed;

    /// <summary>The waiting spare's pid, if there is one (for tests).</summary>
    internal int? SparePid
    {
        get
        {
            lock (_gate)
            {
                return _spare?.Process.Pid;
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="path"/> with <paramref name="args"/>, in its own session, with
    /// <paramref name="stdio"/>[i] as its descriptor i. The descriptors stay open here.
    /// </summary>
    public ChildProcess Start(string path, IReadOnlyList<string> args, IReadOnlyList<int> stdio)
    {
        ChildProcess? started = null;
        if (TakeSpare(path) is { } spare)
        {
            started = HandOver(spare, args, stdio);
        }

        started ??= Spawn.Start(new SpawnOptions
        {
            Path = path,
            Args = args,
            Fds = stdio.Select((fd, i) => (i, fd)).ToList(),
            NewSession = true,
        });
        Refill(path);
        return started;
    }

    public void Dispose()
    {
        Spare? spare;
        lock (_gate)
        {
            _disposed = true;
            spare = _spare;
            _spare = null;
        }

        if (spare is not null)
        {
            Discard(spare);
        }
    }

    private Spare? TakeSpare(string path)
    {
        Spare? spare;
        lock (_gate)
        {
            spare = _spare;
            _spare = null;
        }

        if (spare is null || spare.Path == path)
        {
            return spare;
        }

        Discard(spare);
        return null;
    }

    /// <summary>Gives the spare its work; null if it is gone (killed by hand), and the caller spawns instead.</summary>
    private static ChildProcess? HandOver(Spare spare, IReadOnlyList<string> args, IReadOnlyList<int> stdio)
    {
        try
        {
            // Full priority before it runs the start, also if it is still loading.
            _ = Scheduling.MakeNormal(spare.Process.Pid);
            DescriptorChannel.Send(spare.Channel, SpareProtocol.EncodeArguments(args), stdio.ToArray());
            Fd.Close(spare.Channel);
            return spare.Process;
        }
        catch (ErrnoException)
        {
            Discard(spare);
            return null;
        }
    }

    private void Refill(string path)
    {
        lock (_gate)
        {
            if (!_keepSpare || _disposed || _spare is not null || _refilling)
            {
                return;
            }

            _refilling = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(_ => SpawnSpare(path), null);
    }

    private void SpawnSpare(string path)
    {
        Spare? spare = null;
        try
        {
            var (ours, theirs) = DescriptorChannel.CreatePair();
            var devNull = Fd.OpenDevNull();
            try
            {
                var fds = Enumerable.Range(0, SpareProtocol.ChannelFd).Select(i => (i, devNull)).ToList();
                fds.Add((SpareProtocol.ChannelFd, theirs));
                var process = Spawn.Start(new SpawnOptions { Path = path, Args = ["spare"], Fds = fds, NewSession = true });
                _ = Scheduling.MakeIdle(process.Pid);
                spare = new Spare(path, process, ours);
            }
            catch
            {
                Fd.Close(ours);
                throw;
            }
            finally
            {
                Fd.Close(theirs);
                Fd.Close(devNull);
            }
        }
        catch (Exception e) when (e is ErrnoException or IOException)
        {
            // No spare this time: the next start spawns directly, as without one.
        }

        lock (_gate)
        {
            _refilling = false;
            if (spare is not null && !_disposed)
            {
                _spare = spare;
                return;
            }
        }

        if (spare is not null)
        {
            Discard(spare);
        }
    }

    private static void Discard(Spare spare)
    {
        // End-of-file on its socket makes a spare exit; reap it off the caller's path.
        Fd.Close(spare.Channel);
        _ = spare.Process.WaitAsync();
    }

    private sealed record Spare(string Path, ChildProcess Process, int Channel);
}
