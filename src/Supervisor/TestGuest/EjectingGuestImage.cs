namespace Virt.Supervisor.TestGuest;

/// <summary>
/// The test guest for hot-unplug: as <see cref="TestGuestImage"/> it arms the power button, prints the ready line on
/// COM1 and powers off at a press, and in its loop it also lets go of every PCI device QEMU asks it to (on a pc
/// machine: the slots in PIIX4's ACPI hot-plug "down" register at 0xAE04, written back to its eject register at 0xAE08),
/// which is what a guest's ACPI driver does; QEMU then removes the device and reports DEVICE_DELETED. No echo.
/// </summary>
public static class EjectingGuestImage
{
    private const int LoadAddress = 0x7C00;
    private const int MessageOffset = 0x3C;

    private static readonly byte[] Code =
    [
        0xFA,                   // 00: cli
        0x31, 0xC0,             // 01: xor ax, ax
        0x8E, 0xD8,             // 03: mov ds, ax
        0xBA, 0x02, 0x06,       // 05: mov dx, 0x602         ; PM1a_EN
        0xB8, 0x00, 0x01,       // 08: mov ax, 0x0100        ; PWRBTN_EN
        0xEF,                   // 0B: out dx, ax
        0xBE, (LoadAddress + MessageOffset) & 0xFF, (LoadAddress + MessageOffset) >> 8,
                                // 0C: mov si, message
        0xBA, 0xF8, 0x03,       // 0F: mov dx, 0x3F8         ; COM1
        0xAC,                   // 12: lodsb
        0x84, 0xC0,             // 13: test al, al
        0x74, 0x03,             // 15: jz +3 (to 1A)
        0xEE,                   // 17: out dx, al
        0xEB, 0xF8,             // 18: jmp -8 (to 12)
        0xBA, 0x04, 0xAE,       // 1A: mov dx, 0xAE04        ; poll: slots asked to go (32-bit register)
        0x66, 0xED,             // 1D: in eax, dx
        0x66, 0x85, 0xC0,       // 1F: test eax, eax
        0x74, 0x05,             // 22: jz +5 (to 29)
        0xBA, 0x08, 0xAE,       // 24: mov dx, 0xAE08        ; eject them
        0x66, 0xEF,             // 27: out dx, eax
        0xBA, 0x00, 0x06,       // 29: mov dx, 0x600         ; PM1a_STS
        0xED,                   // 2C: in ax, dx
        0xA9, 0x00, 0x01,       // 2D: test ax, 0x0100       ; PWRBTN_STS
        0x74, 0xE8,             // 30: jz -24 (to 1A)
        0xBA, 0x04, 0x06,       // 32: mov dx, 0x604         ; PM1a_CNT
        0xB8, 0x00, 0x20,       // 35: mov ax, 0x2000        ; SLP_EN, soft off
        0xEF,                   // 38: out dx, ax
        0xF4,                   // 39: hlt
        0xEB, 0xFD,             // 3A: jmp -3 (to 39)
    ];

    /// <summary>Writes the raw image: this boot sector, then zeros up to <see cref="TestGuestImage.ImageSize"/>.</summary>
    public static void Write(string path)
    {
        if (Code.Length != MessageOffset)
            throw new InvalidOperationException("the code and the message offset disagree");
        var sector = TestGuestImage.BootSector();
        Code.CopyTo(sector, 0);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write(sector);
        file.SetLength(TestGuestImage.ImageSize);
    }
}
