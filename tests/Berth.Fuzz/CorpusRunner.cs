using System.Security.Cryptography;
using Berth.Fuzz.Targets;

namespace Berth.Fuzz;

/// <summary>
/// Engine-less fuzzing: the target over inputs made from its seeds by random byte flips,
/// insertions, deletions, splices and truncations (and some plain random bytes), each distinct
/// crash written out by the hash of its input. Weaker than AFL's coverage feedback, but it needs
/// nothing but the runtime.
/// </summary>
public static class CorpusRunner
{
    public static int Run(string name, Action<byte[]> target, int count, string outDir)
    {
        var seeds = FuzzTargets.Seeds(name);
        var random = new Random(Environment.GetEnvironmentVariable("FUZZ_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount);
        var crashes = 0;
        for (var i = 0; i < count; i++)
        {
            var input = i < seeds.Count ? seeds[i] : Mutate(random, seeds[random.Next(seeds.Count)], seeds[random.Next(seeds.Count)]);
            try
            {
                target(input);
            }
            catch (Exception e)
            {
                crashes++;
                Directory.CreateDirectory(outDir);
                var file = Path.Combine(outDir, $"{name}-{Convert.ToHexStringLower(SHA256.HashData(input))[..16]}");
                File.WriteAllBytes(file, input);
                Console.WriteLine($"crash: {file}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }
        }

        return crashes;
    }

    private static byte[] Mutate(Random random, byte[] seed, byte[] other)
    {
        if (random.Next(20) == 0)
        {
            var noise = new byte[random.Next(1, 600)];
            random.NextBytes(noise);
            return noise;
        }

        var data = new List<byte>(seed);
        var steps = random.Next(1, 8);
        for (var s = 0; s < steps; s++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    data.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(random.Next(1, 16), data.Count - at));
                    break;
                case 4 when other.Length > 0:
                    var from = random.Next(other.Length);
                    data.InsertRange(at, other.Skip(from).Take(random.Next(1, 64)));
                    break;
                case 5 when data.Count > 0:
                    data.RemoveRange(at, data.Count - at);
                    break;
                default:
                    var len = Math.Min(random.Next(1, 32), data.Count - at);
                    if (len > 0)
                    {
                        data.InsertRange(random.Next(data.Count), data.GetRange(at, len));
                    }

                    break;
            }
        }

        return [.. data];
    }

    private static readonly byte[] Interesting = [0, 1, 0x7F, 0x80, 0xC0, 0xFF, (byte)'\n', (byte)'\r', (byte)':', (byte)'/', (byte)'.', (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'-', (byte)'9'];
}
