using System.Runtime.InteropServices;

namespace Berth.Terminal;

/// <summary>
/// The CLI's libc calls, always about the user's own side: the terminal (isatty, size, raw mode
/// through termios) and file ownership for <c>cp -a</c>. A project of its own because the CLI
/// may not reference Berth.Platform (the engine's OS boundary); see docs/ARCHITECTURE.md.
/// </summary>
public static partial class Posix
{
    private const int TermiosSize = 64;
    private const uint TIOCGWINSZ = 0x5413;

    public static bool IsTerminal(int fd)
    {
        try
        {
            return isatty(fd) == 1;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Rows and columns of the terminal on <paramref name="fd"/>, or null.</summary>
    public static (int Rows, int Columns)? GetSize(int fd)
    {
        var ws = new ushort[4];
        try
        {
            if (ioctl(fd, TIOCGWINSZ, ws) != 0)
            {
                return null;
            }
        }
        catch (DllNotFoundException)
        {
            return null;
        }

        return ws[1] == 0 ? null : (ws[0], ws[1]);
    }

    /// <summary>Puts the terminal in raw mode; returns the previous state to restore, or null.</summary>
    public static byte[]? MakeRaw(int fd)
    {
        var saved = new byte[TermiosSize];
        if (tcgetattr(fd, saved) != 0)
        {
            return null;
        }

        var raw = (byte[])saved.Clone();
        cfmakeraw(raw);
        return tcsetattr(fd, 0, raw) == 0 ? saved : null;
    }

    public static void Restore(int fd, byte[] state) => _ = tcsetattr(fd, 0, state);

    /// <summary>Calls <paramref name="onResize"/> on SIGWINCH until disposed.</summary>
    public static IDisposable? OnWindowResize(Action onResize)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        return PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => onResize());
    }

    /// <summary>Owner of a file (not following a final symlink); 0:0 when it cannot be read.</summary>
    public static (int Uid, int Gid) Owner(string path)
    {
        var st = new byte[256];
        try
        {
            if (lstat(path, st) != 0)
            {
                return (0, 0);
            }
        }
        catch (EntryPointNotFoundException)
        {
            return (0, 0);
        }

        // struct stat on 64-bit Linux: st_uid at 28, st_gid at 32 (x86_64); 24 and 28 on arm64.
        var arm = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == Architecture.Arm64;
        return (BitConverter.ToInt32(st, arm ? 24 : 28), BitConverter.ToInt32(st, arm ? 28 : 32));
    }

    public static void Chown(string path, int uid, int gid) => _ = lchown(path, uid, gid);

    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int isatty(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lstat(string path, [Out] byte[] stat);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, int uid, int gid);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, [Out] ushort[] winsize);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcgetattr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcsetattr(int fd, int optionalActions, [In] byte[] termios);

    [LibraryImport("libc")]
    private static partial void cfmakeraw([In, Out] byte[] termios);
}
