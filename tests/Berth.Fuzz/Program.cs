using Berth.Fuzz.Targets;

// berth-fuzz: runs one fuzz target (Targets/FuzzTargets.cs).
//   afl <target>                 under afl-fuzz, with assemblies instrumented by sharpfuzz (scripts/fuzz.sh)
//   corpus <target> <n> <out>    without an engine: n generated inputs (mutated seeds, random bytes);
//                                crashing inputs are written to <out>
//   seeds <target> <dir>         writes the target's seed corpus
//   replay <target> <file>...    runs the target on files (a crash shows its exception)
if (args.Length < 2 || !FuzzTargets.All.TryGetValue(args[1], out var target))
{
    Console.Error.WriteLine($"usage: berth-fuzz afl|corpus|seeds|replay <target> ...; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}

switch (args[0])
{
    case "afl":
        SharpFuzz.Fuzzer.Run(stream =>
        {
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            target(ms.ToArray());
        });
        return 0;

    case "seeds":
        Directory.CreateDirectory(args[2]);
        var seeds = FuzzTargets.Seeds(args[1]);
        for (var i = 0; i < seeds.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(args[2], $"seed-{i}"), seeds[i]);
        }

        return 0;

    case "replay":
        foreach (var file in args[2..])
        {
            target(File.ReadAllBytes(file));
            Console.WriteLine($"{file}: ok");
        }

        return 0;

    case "corpus":
        var count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var outDir = args[3];
        var crashes = Berth.Fuzz.CorpusRunner.Run(args[1], target, count, outDir);
        Console.WriteLine($"{args[1]}: {count} inputs, {crashes} crashing");
        return crashes == 0 ? 0 : 1;

    default:
        Console.Error.WriteLine($"unknown mode {args[0]}");
        return 2;
}
