using Berth.Cli;
using Berth.Terminal;

using var cts = new CancellationTokenSource();
var ctx = new CliContext(Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.OpenStandardError())
{
    StdinIsTerminal = Posix.IsTerminal(0),
    StdoutIsTerminal = Posix.IsTerminal(1),
};
var code = await App.RunAsync(ctx, args, cts.Token);
try
{
    ctx.FlushOut();
}
catch (IOException)
{
    // stdout closed early (a pipe into head): nothing left to say.
}

return code;
