namespace Berth.Api.Containers;

public sealed record IndexInfo(string Name, IReadOnlyList<string> Mirrors, bool Secure, bool Official);
