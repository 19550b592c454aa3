using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Volumes;

public sealed class VolumesDaemon() : DaemonFixture("vol");
