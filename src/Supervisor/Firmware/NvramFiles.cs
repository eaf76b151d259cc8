using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Firmware;

/// <summary>A UEFI guest's variable store: made from its template before the first start, then the guest's own.</summary>
public static class NvramFiles
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Copies the template to the store's path when the store does not exist yet; never overwrites one.</summary>
    public static void Prepare(DomainDefinition def)
    {
        if (def.Os.Loader is not { Type: not "rom" } || def.Os.Nvram is not { Path: { } path } nvram || File.Exists(path))
            return;
        var template = nvram.Template ?? throw new VirtException(ErrorCode.OperationFailed,
            $"the UEFI variable store {path} does not exist and <nvram> names no template to make it from");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var temp = path + ".virt-tmp";
            using (var source = File.OpenRead(template))
            using (var target = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = Private }))
            {
                source.CopyTo(target);
                target.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot make the UEFI variable store {path} from {template}: {e.Message}", e);
        }
    }
}
