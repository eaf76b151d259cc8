namespace Virt.Protocol.Domains;

/// <summary>
/// libvirt's rule for a controller written without index= (virt-install never writes one): the lowest index its
/// type does not use yet, except that a USB2 controller (ich9-ehci1, ich9-uhci1..3) right after another USB2
/// controller joins that one's group, unless the group already has a controller of its model.
/// </summary>
public static class ControllerIndexes
{
    public static bool IsUsb2(ControllerDevice c) => c.Type == "usb" && c.Model is "ich9-ehci1" or "ich9-uhci1" or "ich9-uhci2" or "ich9-uhci3";

    /// <summary>The first port of its EHCI master a companion takes when the XML says none: libvirt's 0, 2 and 4.</summary>
    public static int? DefaultStartPort(string? model) => model switch
    {
        "ich9-uhci1" => 0,
        "ich9-uhci2" => 2,
        "ich9-uhci3" => 4,
        _ => null,
    };

    /// <summary>The controllers in document order, each unwritten index (null) given.</summary>
    public static IReadOnlyList<ControllerDevice> Assign(IReadOnlyList<(ControllerDevice Controller, bool IndexWritten)> controllers)
    {
        var result = controllers.Select(c => c.Controller).ToList();
        for (var i = 0; i < result.Count; i++)
        {
            if (controllers[i].IndexWritten)
                continue;
            var controller = result[i];
            result[i] = controller with { Index = GroupIndex(result, controllers, i) ?? LowestUnused(result, controllers, i, controller.Type) };
        }
        return result;
    }

    private static int? GroupIndex(List<ControllerDevice> result, IReadOnlyList<(ControllerDevice Controller, bool IndexWritten)> controllers, int i)
    {
        var controller = result[i];
        if (!IsUsb2(controller))
            return null;
        var previous = Enumerable.Range(0, i).Reverse().Select(j => result[j]).FirstOrDefault(c => c.Type == "usb");
        if (previous is null || !IsUsb2(previous))
            return null;
        var taken = result.Where((c, j) => IsKnown(controllers, i, j) && c.Type == "usb" && c.Index == previous.Index && c.Model == controller.Model);
        return taken.Any() ? null : previous.Index;
    }

    private static int LowestUnused(List<ControllerDevice> result, IReadOnlyList<(ControllerDevice Controller, bool IndexWritten)> controllers, int i, string type)
    {
        var used = result.Where((c, j) => IsKnown(controllers, i, j) && c.Type == type).Select(c => c.Index).ToHashSet();
        var index = 0;
        while (used.Contains(index))
            index++;
        return index;
    }

    /// <summary>A controller's index counts once it is written or already given: those before <paramref name="i"/>, and written ones after it.</summary>
    private static bool IsKnown(IReadOnlyList<(ControllerDevice Controller, bool IndexWritten)> controllers, int i, int j) =>
        j != i && (j < i || controllers[j].IndexWritten);
}
