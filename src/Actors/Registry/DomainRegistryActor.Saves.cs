using Akka.Actor;
using Virt.Actors.Domains;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.Save;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Api.DomainSaves;

namespace Virt.Actors.Registry;

// Save images: where a save may write, the managed image of each persistent domain, and a restore, which starts the
// domain the image holds (defining it as transient when the registry has no domain with its UUID).
public sealed partial class DomainRegistryActor
{
    /// <summary>A save image read (off the registry's thread) and its domain parsed, for the restore that asked.</summary>
    private sealed record RestoreRead(string Path, SaveImage Image, DomainDefinition Live, DomainSaveFlags Flags, IActorRef ReplyTo);

    private void ReceiveSaves()
    {
        Receive<SaveDomain>(m =>
        {
            if (ImagePathProblem(m.Path) is { } problem)
                Sender.Tell(problem);
            else
                ForwardToDomain(m.Domain, m);
        });
        Receive<ManagedSaveDomain>(m => WithDomain(m.Domain, entry => ManagedSave(entry, m)));
        Receive<RemoveManagedSave>(m => WithDomain(m.Domain, entry =>
            Sender.Tell(RemoveManagedImage(entry, _runtime.Settings.Paths.ManagedSavePath(entry.Name.Value)) ?? (IDomainReply)entry.ToSummary())));
        Receive<RestoreDomain>(Restore);
        Receive<RestoreRead>(StartRestore);
    }

    /// <summary>Absolute, and never inside the daemon's own tree (a save must not overwrite a config or a status file).</summary>
    private ErrorReply? ImagePathProblem(string path)
    {
        if (RelativeImagePath(path) is { } relative)
            return relative;
        return _runtime.Settings.Paths.Contains(path)
            ? new ErrorReply(ErrorCode.OperationDenied, $"save image path '{path}' is inside the daemon's own directories; refusing it")
            : null;
    }

    private static ErrorReply? RelativeImagePath(string path) => Path.IsPathRooted(path) ? null
        : new ErrorReply(ErrorCode.InvalidArg, $"save image path '{path}' is relative; give an absolute path");

    private void ManagedSave(DomainEntry entry, ManagedSaveDomain m)
    {
        if (!entry.Persistent)
        {
            Sender.Tell(new ErrorReply(ErrorCode.OperationInvalid, "cannot do managed save for transient domain"));
            return;
        }
        var paths = _runtime.Settings.Paths;
        try
        {
            Directory.CreateDirectory(paths.ManagedSaveDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Sender.Tell(new ErrorReply(ErrorCode.OperationFailed, $"cannot create {paths.ManagedSaveDir}: {e.Message}"));
            return;
        }
        ForwardToDomain(m.Domain, new SaveDomain(m.Domain, paths.ManagedSavePath(entry.Name.Value), m.Flags));
    }

    private bool HasManagedImage(DomainEntry entry) => entry.Persistent && File.Exists(_runtime.Settings.Paths.ManagedSavePath(entry.Name.Value));

    private ErrorReply? RemoveManagedImage(DomainEntry entry, string path)
    {
        try
        {
            File.Delete(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ErrorReply(ErrorCode.OperationFailed, $"failed to remove managed save image of domain '{entry.Name}' ({path}): {e.Message}");
        }
    }

    /// <summary>
    /// As libvirt: a start of a domain with a managed image restores it; with force-boot the image is dropped and the
    /// guest boots. An image that cannot be read fails the start rather than booting over the saved state.
    /// </summary>
    private (DomainActor.RestoreFrom? Restore, ErrorReply? Problem) ManagedRestore(DomainEntry entry, DomainCreateFlags flags)
    {
        if (!HasManagedImage(entry))
            return (null, null);
        var path = _runtime.Settings.Paths.ManagedSavePath(entry.Name.Value);
        if (flags.HasFlag(DomainCreateFlags.ForceBoot))
            return (null, RemoveManagedImage(entry, path));
        try
        {
            var image = SaveImage.Read(path);
            var live = DomainXml.Parse(image.Xml);
            if (live.Uuid != entry.Uuid.Value)
                return (null, new ErrorReply(ErrorCode.OperationFailed, $"managed save image {path} holds another domain ({live.Name}, {live.Uuid})"));
            var paused = flags.HasFlag(DomainCreateFlags.StartPaused) || !image.WasRunning;
            return (new DomainActor.RestoreFrom(path, image, live, paused,
                flags.HasFlag(DomainCreateFlags.StartPaused) ? SuspendedDetail.Paused : SuspendedDetail.Restored, RemoveAfter: true), null);
        }
        catch (VirtException e)
        {
            return (null, new ErrorReply(e.Code, $"cannot restore domain '{entry.Name}' from its managed save image: {e.Message}"));
        }
    }

    private void Restore(RestoreDomain m)
    {
        var replyTo = Sender;
        if (RelativeImagePath(m.Path) is { } relative)
        {
            replyTo.Tell(relative);
            return;
        }
        var self = Self;
        Task.Run(() =>
        {
            var image = SaveImage.Read(m.Path);
            return new RestoreRead(m.Path, image, DomainXml.Parse(image.Xml), m.Flags, replyTo);
        }).ContinueWith(read =>
        {
            // A file that is no save image (or whose domain does not parse) is refused; nothing starts.
            if (read.IsCompletedSuccessfully)
                self.Tell(read.Result);
            else
                replyTo.Tell(read.Exception?.GetBaseException() is VirtException e ? ErrorReply.From(e)
                    : new ErrorReply(ErrorCode.InternalError, $"cannot read save image {m.Path}: {read.Exception?.GetBaseException().Message}"));
        }, TaskScheduler.Default);
    }

    private void StartRestore(RestoreRead m)
    {
        var uuid = new DomainUuid(m.Live.Uuid);
        var paused = m.Flags.HasFlag(DomainSaveFlags.Paused) || (!m.Flags.HasFlag(DomainSaveFlags.Running) && !m.Image.WasRunning);
        var restore = new DomainActor.RestoreFrom(m.Path, m.Image, m.Live, paused,
            m.Flags.HasFlag(DomainSaveFlags.Paused) ? SuspendedDetail.Paused : SuspendedDetail.Restored, RemoveAfter: false);
        if (_state.Find(uuid) is { } entry)
        {
            if (entry.Active)
                m.ReplyTo.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"domain '{entry.Name}' is already active"));
            else
                BeginStart(uuid, DomainCreateFlags.None, m.ReplyTo, null, restore);
            return;
        }
        var outcome = _state.PrepareCreate(m.Live);
        if (!outcome.Succeeded)
        {
            m.ReplyTo.Tell(outcome.Reply);
            return;
        }
        Apply(outcome, uuid);
        BeginStart(uuid, DomainCreateFlags.None, m.ReplyTo, null, restore);
    }
}
