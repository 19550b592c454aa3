using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Berth.Platform.Net;

/// <summary>
/// Applies nftables batches (the text syntax of <c>nft -f</c>) atomically: a batch either applies
/// whole or not at all. Uses libnftables in-process when present, else one <c>nft -f -</c> per
/// batch. The netlink socket belongs to the namespace of the thread that created this object, so
/// create and use it on one <see cref="NamespaceThread"/>. Not thread-safe.
/// </summary>
public sealed class Nftables : IDisposable
{
    private nint _ctx;

    private Nftables(nint ctx)
    {
        _ctx = ctx;
    }

    /// <summary>True when the in-process library is used (false: the nft tool is spawned per batch).</summary>
    public bool InProcess => _ctx != 0;

    public static Nftables Create()
    {
        if (!NftablesNative.IsAvailable())
        {
            return new Nftables(0);
        }

        var ctx = NftablesNative.nft_ctx_new(0);
        if (ctx == 0)
        {
            throw new NftablesException("nft_ctx_new failed");
        }

        NftablesNative.nft_ctx_buffer_output(ctx);
        NftablesNative.nft_ctx_buffer_error(ctx);
        return new Nftables(ctx);
    }

    /// <summary>Runs a batch; returns nft's output (e.g. of a list command).</summary>
    public string Run(string commands)
    {
        if (_ctx == 0)
        {
            return RunTool(commands);
        }

        var rc = NftablesNative.nft_run_cmd_from_buffer(_ctx, commands);
        var output = Marshal.PtrToStringUTF8(NftablesNative.nft_ctx_get_output_buffer(_ctx)) ?? string.Empty;
        var error = Marshal.PtrToStringUTF8(NftablesNative.nft_ctx_get_error_buffer(_ctx)) ?? string.Empty;
        if (rc != 0)
        {
            throw new NftablesException($"nftables: {error.Trim()}");
        }

        return output;
    }

    public void Dispose()
    {
        var ctx = Interlocked.Exchange(ref _ctx, 0);
        if (ctx != 0)
        {
            NftablesNative.nft_ctx_free(ctx);
        }
    }

    private static string RunTool(string commands)
    {
        var psi = new ProcessStartInfo("nft", "-f -")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi) ?? throw new NftablesException("could not start nft");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(commands);
        p.StandardInput.Close();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new NftablesException($"nftables: {stderr.GetAwaiter().GetResult().Trim()}");
        }

        return stdout.GetAwaiter().GetResult();
    }
}
