using System.Runtime.InteropServices;

namespace Berth.Platform.Net;

/// <summary>libnftables (the library behind the nft tool): run a ruleset text in-process, no fork.</summary>
internal static partial class NftablesNative
{
    private const string Lib = "libnftables.so.1";

    [LibraryImport(Lib)]
    public static partial nint nft_ctx_new(uint flags);

    [LibraryImport(Lib)]
    public static partial void nft_ctx_free(nint ctx);

    [LibraryImport(Lib)]
    public static partial int nft_ctx_buffer_output(nint ctx);

    [LibraryImport(Lib)]
    public static partial int nft_ctx_buffer_error(nint ctx);

    [LibraryImport(Lib)]
    public static partial nint nft_ctx_get_output_buffer(nint ctx);

    [LibraryImport(Lib)]
    public static partial nint nft_ctx_get_error_buffer(nint ctx);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nft_run_cmd_from_buffer(nint ctx, string buffer);

    public static bool IsAvailable()
    {
        if (!NativeLibrary.TryLoad(Lib, typeof(NftablesNative).Assembly, null, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
