// berth talks to a Linux engine from a POSIX terminal (termios, SIGWINCH).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
