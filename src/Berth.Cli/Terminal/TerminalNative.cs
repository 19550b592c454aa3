using System.Runtime.InteropServices;

namespace Berth.Cli.Terminal;

/// <summary>
/// The user's terminal: isatty, size, and raw mode through libc's termios. This is the one place
/// in the CLI that calls libc; the terminal is the user's, not the engine's.
/// </summary>
public static partial class TerminalNative
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

    [LibraryImport("libc", SetLastError = true)]
    private static partial int isatty(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, [Out] ushort[] winsize);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcgetattr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcsetattr(int fd, int optionalActions, [In] byte[] termios);

    [LibraryImport("libc")]
    private static partial void cfmakeraw([In, Out] byte[] termios);
}
