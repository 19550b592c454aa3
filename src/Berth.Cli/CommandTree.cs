using Berth.Cli.Commands;
using Berth.Cli.Parsing;

namespace Berth.Cli;

/// <summary>The command tree: docker's management commands and their top-level shortcuts.</summary>
public static class CommandTree
{
    public static CommandSpec Build(string binaryName)
    {
        var root = new CommandSpec
        {
            Name = binaryName,
            Short = "berth: the command-line client of the Berth container engine",
            Flags = App.GlobalFlags(),
        };

        var container = Group("container", "Work with containers", "management");
        container.Add(ContainerAttach.CreateAttach("attach"));
        container.Add(ContainerMisc.Commit("commit"));
        container.Add(ContainerCopy.Create("cp"));
        container.Add(ContainerRun.CreateCreate("create"));
        container.Add(ContainerMisc.Diff("diff"));
        container.Add(ImageArchive.Export("export"));
        container.Add(ContainerExec.Create("exec"));
        container.Add(Inspect.CreateFor(Inspect.Container, "[OPTIONS] CONTAINER [CONTAINER...]", "Print the full JSON description of containers", withSize: true));
        container.Add(ContainerLifecycle.Kill("kill"));
        container.Add(ContainerLogs.Create("logs"));
        container.Add(ContainerList.Create("ls", ["list", "ps"]));
        container.Add(ContainerLifecycle.Pause("pause"));
        container.Add(ContainerMisc.Port("port"));
        container.Add(ContainerMisc.Prune("prune"));
        container.Add(ContainerLifecycle.Rename("rename"));
        container.Add(ContainerLifecycle.Restart("restart"));
        container.Add(ContainerLifecycle.Remove("rm", ["remove"]));
        container.Add(ContainerRun.CreateRun("run"));
        container.Add(ContainerAttach.CreateStart("start"));
        container.Add(ContainerStats.Create("stats"));
        container.Add(ContainerLifecycle.Stop("stop"));
        container.Add(ContainerMisc.Top("top"));
        container.Add(ContainerLifecycle.Unpause("unpause"));
        container.Add(ContainerMisc.Update("update"));
        container.Add(ContainerLifecycle.Wait("wait"));
        root.Add(container);

        var image = Group("image", "Work with images", "management");
        image.Add(ImageBuild.Create("build"));
        image.Add(ImageCommands.History("history"));
        image.Add(ImageArchive.Import("import"));
        image.Add(Inspect.CreateFor(Inspect.Image, "[OPTIONS] IMAGE [IMAGE...]", "Print the full JSON description of images"));
        image.Add(ImageArchive.Load("load"));
        image.Add(ImageCommands.List("ls", ["list"]));
        image.Add(SystemCommands.ImagePrune("prune"));
        image.Add(ImagePull.Create("pull"));
        image.Add(RegistryCommands.Push("push"));
        image.Add(ImageCommands.Remove("rm", ["remove"]));
        image.Add(ImageArchive.Save("save"));
        image.Add(ImageCommands.Tag("tag"));
        root.Add(image);

        root.Add(BuilderCommands.Group());
        root.Add(NetworkCommands.Group());
        var system = Group("system", "Inspect and clean up the Berth engine", "management");
        system.Add(SystemCommands.DiskUsage("df"));
        system.Add(SystemCommands.Events("events"));
        system.Add(SystemCommands.Info("info"));
        system.Add(SystemCommands.SystemPrune("prune"));
        root.Add(system);
        root.Add(VolumeCommands.Group());

        root.Add(Top(ContainerRun.CreateRun("run"), "common"));
        root.Add(Top(ContainerExec.Create("exec"), "common"));
        root.Add(Top(ContainerList.Create("ps", []), "common"));
        root.Add(Top(ImageBuild.Create("build"), "common"));
        root.Add(Top(ImagePull.Create("pull"), "common"));
        root.Add(Top(RegistryCommands.Push("push"), "common"));
        root.Add(Top(ImageCommands.List("images", []), "common"));
        root.Add(BuilderCommands.Search());
        root.Add(RegistryCommands.Login());
        root.Add(RegistryCommands.Logout());
        root.Add(Top(SystemVersion.Create(), "common"));
        root.Add(Top(SystemCommands.Info("info"), "common"));

        root.Add(ContainerAttach.CreateAttach("attach"));
        root.Add(ContainerMisc.Commit("commit"));
        root.Add(ContainerCopy.Create("cp"));
        root.Add(ContainerRun.CreateCreate("create"));
        root.Add(ContainerMisc.Diff("diff"));
        root.Add(SystemCommands.Events("events"));
        root.Add(ImageArchive.Export("export"));
        root.Add(ImageCommands.History("history"));
        root.Add(ImageArchive.Import("import"));
        root.Add(Inspect.CreateGeneric());
        root.Add(ContainerLifecycle.Kill("kill"));
        root.Add(ContainerLogs.Create("logs"));
        root.Add(ImageArchive.Load("load"));
        root.Add(ContainerLifecycle.Pause("pause"));
        root.Add(ContainerMisc.Port("port"));
        root.Add(ContainerLifecycle.Rename("rename"));
        root.Add(ContainerLifecycle.Restart("restart"));
        root.Add(ContainerLifecycle.Remove("rm", []));
        root.Add(ImageCommands.Remove("rmi", []));
        root.Add(ImageArchive.Save("save"));
        root.Add(ContainerAttach.CreateStart("start"));
        root.Add(ContainerStats.Create("stats"));
        root.Add(ContainerLifecycle.Stop("stop"));
        root.Add(ImageCommands.Tag("tag"));
        root.Add(ContainerMisc.Top("top"));
        root.Add(ContainerLifecycle.Unpause("unpause"));
        root.Add(ContainerMisc.Update("update"));
        root.Add(ContainerLifecycle.Wait("wait"));

        // Known to docker, not to berth yet: a clear error rather than "unknown command".
        foreach (var (name, text, group) in new[]
        {
            ("checkpoint", "Container checkpoints (not in Berth yet)", "management"), ("context", "Client contexts (not in Berth yet)", "management"),
            ("manifest", "Image manifests and indexes (not in Berth yet)", "management"), ("plugin", "Engine plugins (not in Berth yet)", "management"),
            ("trust", "Image signatures (not in Berth yet)", "management"), ("config", "Swarm configs (not in Berth yet)", "swarm"),
            ("node", "Swarm nodes (not in Berth yet)", "swarm"), ("secret", "Swarm secrets (not in Berth yet)", "swarm"),
            ("service", "Swarm services (not in Berth yet)", "swarm"), ("stack", "Swarm stacks (not in Berth yet)", "swarm"), ("swarm", "Swarm mode (not in Berth yet)", "swarm"),
        })
        {
            root.Add(Unsupported.Create(name, text, group));
        }

        return root;
    }

    private static CommandSpec Top(CommandSpec spec, string group)
    {
        spec.Group = group;
        return spec;
    }

    private static CommandSpec Group(string name, string shortText, string group) => new()
    {
        Name = name,
        Short = shortText,
        Group = group,
    };
}
