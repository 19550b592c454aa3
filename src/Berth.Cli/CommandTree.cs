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
            Short = "A self-sufficient runtime for containers",
            Flags = App.GlobalFlags(),
        };

        var container = Group("container", "Manage containers", "management");
        container.Add(ContainerAttach.CreateAttach("attach"));
        container.Add(ContainerRun.CreateCreate("create"));
        container.Add(ContainerExec.Create("exec"));
        container.Add(Inspect.CreateFor(Inspect.Container, "[OPTIONS] CONTAINER [CONTAINER...]", "Display detailed information on one or more containers", withSize: true));
        container.Add(ContainerLifecycle.Kill("kill"));
        container.Add(ContainerLogs.Create("logs"));
        container.Add(ContainerList.Create("ls", ["list", "ps"]));
        container.Add(ContainerLifecycle.Pause("pause"));
        container.Add(ContainerLifecycle.Rename("rename"));
        container.Add(ContainerLifecycle.Restart("restart"));
        container.Add(ContainerLifecycle.Remove("rm", ["remove"]));
        container.Add(ContainerRun.CreateRun("run"));
        container.Add(ContainerAttach.CreateStart("start"));
        container.Add(ContainerLifecycle.Stop("stop"));
        container.Add(ContainerLifecycle.Unpause("unpause"));
        container.Add(ContainerLifecycle.Wait("wait"));
        root.Add(container);

        var image = Group("image", "Manage images", "management");
        image.Add(Inspect.CreateFor(Inspect.Image, "[OPTIONS] IMAGE [IMAGE...]", "Display detailed information on one or more images"));
        image.Add(ImagePull.Create("pull"));
        root.Add(image);

        root.Add(Top(ContainerRun.CreateRun("run"), "common"));
        root.Add(Top(ContainerExec.Create("exec"), "common"));
        root.Add(Top(ContainerList.Create("ps", []), "common"));
        root.Add(Top(ImagePull.Create("pull"), "common"));
        root.Add(SystemVersion.Create());

        root.Add(ContainerAttach.CreateAttach("attach"));
        root.Add(ContainerRun.CreateCreate("create"));
        root.Add(Inspect.CreateGeneric());
        root.Add(ContainerLifecycle.Kill("kill"));
        root.Add(ContainerLogs.Create("logs"));
        root.Add(ContainerLifecycle.Pause("pause"));
        root.Add(ContainerLifecycle.Rename("rename"));
        root.Add(ContainerLifecycle.Restart("restart"));
        root.Add(ContainerLifecycle.Remove("rm", []));
        root.Add(ContainerAttach.CreateStart("start"));
        root.Add(ContainerLifecycle.Stop("stop"));
        root.Add(ContainerLifecycle.Unpause("unpause"));
        root.Add(ContainerLifecycle.Wait("wait"));
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
