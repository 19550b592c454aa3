using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Berth.Platform.Native;

namespace Berth.Platform.Processes;

/// <summary>
/// Rewrites what /proc/self/cmdline (and so ps) shows for the calling process. A process that
/// took on work after it started (a spare monitor) then reads as if started for that work.
/// Best effort: needs a kernel with checkpoint/restore support (PR_SET_MM_MAP).
/// </summary>
public static unsafe class ProcessTitle
{
    private const int PR_SET_MM = 35;
    private const int PR_SET_MM_MAP = 14;
    private const int SYS_brk = 12;

    public static bool TrySet(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var bytes = new List<byte>();
        foreach (var a in argv)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(a));
            bytes.Add(0);
        }

        // Never freed: the kernel reads the arguments from this memory for the process's lifetime.
        var start = (byte*)NativeMemory.Alloc((nuint)bytes.Count);
        CollectionsMarshal.AsSpan(bytes).CopyTo(new Span<byte>(start, bytes.Count));

        // PR_SET_MM_MAP replaces the whole memory map description at once, and unlike the
        // one-field form it does not need CAP_SYS_RESOURCE: everything but the arguments stays.
        ulong[] stat;
        try
        {
            stat = ReadStat();
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return false;
        }

        var map = new MemoryMap
        {
            StartCode = stat[26],
            EndCode = stat[27],
            StartData = stat[45],
            EndData = stat[46],
            StartBrk = stat[47],
            Brk = (ulong)Libc.syscall(SYS_brk, 0, 0, 0, 0),
            StartStack = stat[28],
            ArgStart = (ulong)start,
            ArgEnd = (ulong)(start + bytes.Count),
            EnvStart = stat[50],
            EnvEnd = stat[51],
            ExeFd = uint.MaxValue,
        };
        return Libc.prctl(PR_SET_MM, PR_SET_MM_MAP, (nuint)(&map), (nuint)sizeof(MemoryMap), 0) == 0;
    }

    /// <summary>The numeric fields of /proc/self/stat, indexed by their 1-based field number.</summary>
    private static ulong[] ReadStat()
    {
        var text = File.ReadAllText("/proc/self/stat");
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var fields = new ulong[rest.Length + 3];
        for (var i = 1; i < rest.Length; i++)
        {
            _ = ulong.TryParse(rest[i], NumberStyles.None, CultureInfo.InvariantCulture, out fields[i + 3]);
        }

        return fields;
    }

    /// <summary>struct prctl_mm_map.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MemoryMap
    {
        public ulong StartCode;
        public ulong EndCode;
        public ulong StartData;
        public ulong EndData;
        public ulong StartBrk;
        public ulong Brk;
        public ulong StartStack;
        public ulong ArgStart;
        public ulong ArgEnd;
        public ulong EnvStart;
        public ulong EnvEnd;
        public ulong Auxv;
        public uint AuxvSize;
        public uint ExeFd;
    }
}
