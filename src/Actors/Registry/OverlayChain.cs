namespace Virt.Actors.Registry;

/// <summary>
/// What a disk records of the image under its new overlay, as libvirt: the live XML the whole chain (ended by an empty
/// &lt;backingStore/&gt; when the old image is raw), a running domain's config the old image, a shut-off domain's config nothing
/// (QEMU finds it in the overlay's header) unless the disk already had a chain.
/// </summary>
public enum OverlayChain { Dropped, Recorded, Complete }
