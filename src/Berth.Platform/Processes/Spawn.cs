using System.Runtime.InteropServices;
using System.Text;
using Berth.Platform.Native;

namespace Berth.Platform.Processes;

/// <summary>
/// Starts a process with posix_spawn and an explicit file-descriptor map: only the descriptors
/// named in <see cref="SpawnOptions.Fds"/> are inherited (everything .NET opens is close-on-exec).
/// Used where <see cref="System.Diagnostics.Process"/> cannot do the job: passing extra pipes
/// (fd 3, 4), starting a monitor in its own session so it outlives the daemon.
/// The caller owns the child: reap it with <see cref="ChildProcess.WaitAsync"/> or <see cref="ChildProcess.TryReap"/>.
/// </summary>
public static unsafe class Spawn
{
    public static ChildProcess Start(SpawnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var strings = new List<nint>();
        try
        {
            var path = Utf8(options.Path, strings);
            var argv = stackalloc byte*[options.Args.Count + 2];
            argv[0] = Utf8(options.ArgumentZero ?? options.Path, strings);
            for (var i = 0; i < options.Args.Count; i++)
            {
                argv[i + 1] = Utf8(options.Args[i], strings);
            }

            argv[options.Args.Count + 1] = null;

            var env = options.Environment ?? CurrentEnvironment();
            var envp = stackalloc byte*[env.Count + 1];
            for (var i = 0; i < env.Count; i++)
            {
                envp[i] = Utf8(env[i], strings);
            }

            envp[env.Count] = null;

            // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336: allocate generously.
            var actions = stackalloc byte[256];
            var attr = stackalloc byte[1024];
            var sigset = stackalloc byte[128];
            Check(Libc.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(Libc.posix_spawnattr_init(attr), "posix_spawnattr_init");
            try
            {
                // dup2 in two steps through numbers above every source and target, so a source
                // fd that equals another target number is never clobbered before it is used.
                // Not a fixed high number: the child may run under a low RLIMIT_NOFILE.
                var staging = options.Fds.Count == 0 ? 3 : options.Fds.Max(f => Math.Max(f.Target, f.Source)) + 1;
                var i = 0;
                foreach (var (target, source) in options.Fds)
                {
                    Check(Libc.posix_spawn_file_actions_adddup2(actions, source, staging + i), "adddup2");
                    i++;
                }

                i = 0;
                foreach (var (target, _) in options.Fds)
                {
                    Check(Libc.posix_spawn_file_actions_adddup2(actions, staging + i, target), "adddup2");
                    Check(Libc.posix_spawn_file_actions_addclose(actions, staging + i), "addclose");
                    i++;
                }

                if (options.TerminalPath is { } terminal)
                {
                    Check(Libc.posix_spawn_file_actions_addopen(actions, 0, Utf8(terminal, strings), Libc.O_RDWR, 0), "addopen");
                    Check(Libc.posix_spawn_file_actions_adddup2(actions, 0, 1), "adddup2");
                    Check(Libc.posix_spawn_file_actions_adddup2(actions, 0, 2), "adddup2");
                }

                // Descriptors another library opened without O_CLOEXEC must not leak into
                // monitors (and from there towards containers): close everything above the map.
                var maxTarget = options.Fds.Count == 0 ? 2 : Math.Max(2, options.Fds.Max(f => f.Target));
                try
                {
                    Check(Libc.posix_spawn_file_actions_addclosefrom_np(actions, maxTarget + 1), "addclosefrom");
                }
                catch (EntryPointNotFoundException)
                {
                    // glibc before 2.34: rely on close-on-exec.
                }

                short flags = Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF;
                if (options.NewSession)
                {
                    flags |= Libc.POSIX_SPAWN_SETSID;
                }

                Check(Libc.posix_spawnattr_setflags(attr, flags), "setflags");
                _ = Libc.sigemptyset(sigset);
                Check(Libc.posix_spawnattr_setsigmask(attr, sigset), "setsigmask");
                _ = Libc.sigfillset(sigset);
                Check(Libc.posix_spawnattr_setsigdefault(attr, sigset), "setsigdefault");

                int pid;
                var rc = Libc.posix_spawn(&pid, path, actions, attr, argv, envp);
                if (rc != 0)
                {
                    throw new ErrnoException($"spawn {options.Path}", rc);
                }

                return new ChildProcess(pid);
            }
            finally
            {
                _ = Libc.posix_spawn_file_actions_destroy(actions);
                _ = Libc.posix_spawnattr_destroy(attr);
            }
        }
        finally
        {
            foreach (var p in strings)
            {
                Marshal.FreeHGlobal(p);
            }
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new ErrnoException(what, rc);
        }
    }

    private static byte* Utf8(string s, List<nint> owned)
    {
        var count = Encoding.UTF8.GetByteCount(s);
        var p = (byte*)Marshal.AllocHGlobal(count + 1);
        owned.Add((nint)p);
        var written = Encoding.UTF8.GetBytes(s, new Span<byte>(p, count));
        p[written] = 0;
        return p;
    }

    private static List<string> CurrentEnvironment()
    {
        var list = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            list.Add($"{e.Key}={e.Value}");
        }

        return list;
    }
}
