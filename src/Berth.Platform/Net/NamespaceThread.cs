using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Net;

/// <summary>
/// A dedicated OS thread for namespace work. It lives in a "home" network namespace (the
/// process's own, or the one given, e.g. a test namespace) and runs work items one at a time,
/// either at home or inside another namespace it enters and always leaves again. Sockets and
/// netlink handles created by a work item stay bound to the namespace they were created in, so
/// they can be used from any thread afterwards.
/// </summary>
public sealed class NamespaceThread : IDisposable
{
    private readonly BlockingCollection<Action> _queue = new();
    private readonly Thread _thread;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SafeFileHandle? _home;
    private Exception? _broken;

    /// <param name="name">Thread name, for diagnostics.</param>
    /// <param name="homeNamespace">Path of the namespace to live in; null = the process's.</param>
    public NamespaceThread(string name, string? homeNamespace = null)
    {
        _thread = new Thread(() => Loop(homeNamespace)) { IsBackground = true, Name = name };
        _thread.Start();
        _started.Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="work"/> in the home namespace.</summary>
    public Task<T> RunAsync<T>(Func<T> work) => Enqueue(() => work());

    /// <summary>Runs <paramref name="work"/> inside the namespace at <paramref name="namespacePath"/>, then returns home.</summary>
    public Task<T> RunInAsync<T>(string namespacePath, Func<T> work) => Enqueue(() =>
    {
        using var ns = NetNamespace.Open(namespacePath);
        NetNamespace.Enter(ns);
        try
        {
            return work();
        }
        finally
        {
            GoHome();
        }
    });

    /// <summary>
    /// Creates a new namespace bound at <paramref name="bindPath"/>, runs <paramref name="work"/>
    /// inside it, then returns home. The namespace outlives the call through its bind mount.
    /// </summary>
    public Task<T> RunInNewAsync<T>(string bindPath, Func<T> work) => Enqueue(() =>
    {
        try
        {
            NetNamespace.CreateBound(bindPath);
        }
        catch
        {
            GoHome(); // unshare may have succeeded before the bind mount failed
            throw;
        }

        try
        {
            return work();
        }
        finally
        {
            GoHome();
        }
    });

    public void Dispose()
    {
        _queue.CompleteAdding();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(10));
        }

        _home?.Dispose();
    }

    private Task<T> Enqueue<T>(Func<T> work)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_broken is not null)
        {
            tcs.SetException(new InvalidOperationException("the namespace thread could not return to its home namespace", _broken));
            return tcs.Task;
        }

        try
        {
            _queue.Add(() =>
            {
                try
                {
                    tcs.SetResult(work());
                }
                catch (Exception e)
                {
                    tcs.SetException(e);
                }
            });
        }
        catch (InvalidOperationException)
        {
            tcs.SetException(new ObjectDisposedException(nameof(NamespaceThread)));
        }

        return tcs.Task;
    }

    private void GoHome()
    {
        try
        {
            NetNamespace.Enter(_home!);
        }
        catch (Exception e)
        {
            // A thread stuck in a container's namespace must not run anything else.
            _broken = e;
            _queue.CompleteAdding();
            throw;
        }
    }

    private void Loop(string? homeNamespace)
    {
        try
        {
            if (homeNamespace is not null)
            {
                using var ns = NetNamespace.Open(homeNamespace);
                NetNamespace.Enter(ns);
            }

            _home = NetNamespace.OpenCurrent();
        }
        catch (Exception e)
        {
            _broken = e;
            _started.SetException(e);
            return;
        }

        _started.SetResult();
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            item();
        }
    }
}
