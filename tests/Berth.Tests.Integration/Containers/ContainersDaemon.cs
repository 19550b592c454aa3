using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

public sealed class ContainersDaemon() : DaemonFixture("ctr");
