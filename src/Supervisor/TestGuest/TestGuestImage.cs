using System.Text;

namespace Virt.Supervisor.TestGuest;

/// <summary>
/// A tiny bootable guest for tests: a hand-assembled x86 boot sector in a raw image padded to 1 MiB.
/// It arms the ACPI power button, prints <see cref="ReadyLine"/> on COM1, then echoes every byte COM1 receives
/// while it waits for a power-button press (QMP system_powerdown), and then powers off through PM1a_CNT, so QEMU
/// reports a guest-initiated SHUTDOWN.
/// </summary>
public static class TestGuestImage
{
    /// <summary>The line the guest writes on COM1 once the power button is armed.</summary>
    public const string ReadyLine = "VIRT-TEST-GUEST READY";

    /// <summary>Size of the image; SeaBIOS on q35 does not boot a bare 512-byte disk.</summary>
    public const int ImageSize = 1024 * 1024;

    private const int LoadAddress = 0x7C00;
    private const int MessageOffset = 0x3C;

    /// <summary>
    /// Real-mode code, loaded at 0:7C00. SeaBIOS puts the PIIX4 (pc) and ICH9 (q35) ACPI PM block at 0x600:
    /// PM1a_STS 0x600, PM1a_EN 0x602, PM1a_CNT 0x604. The enable bit is set before the ready line is printed,
    /// so a powerdown sent after the line is never lost. Without a COM1 the status port reads all ones: the loop
    /// then "echoes" 0xFF to nowhere and still sees the power button.
    /// </summary>
    private static readonly byte[] Code =
    [
        0xFA,                   // 00: cli                   ; no interrupts: nothing here handles them
        0x31, 0xC0,             // 01: xor ax, ax
        0x8E, 0xD8,             // 03: mov ds, ax            ; DS = 0 so SI addresses the message at 0:7Cxx
        0xBA, 0x02, 0x06,       // 05: mov dx, 0x602         ; PM1a_EN
        0xB8, 0x00, 0x01,       // 08: mov ax, 0x0100        ; PWRBTN_EN (bit 8)
        0xEF,                   // 0B: out dx, ax
        0xBE, (LoadAddress + MessageOffset) & 0xFF, (LoadAddress + MessageOffset) >> 8,
                                // 0C: mov si, message
        0xBA, 0xF8, 0x03,       // 0F: mov dx, 0x3F8         ; COM1 transmit register
        0xAC,                   // 12: lodsb                 ; print: al = [si++]
        0x84, 0xC0,             // 13: test al, al
        0x74, 0x03,             // 15: jz +3 (to 1A)         ; NUL ends the message
        0xEE,                   // 17: out dx, al
        0xEB, 0xF8,             // 18: jmp -8 (to 12)        ; next character
        0xBA, 0x00, 0x06,       // 1A: mov dx, 0x600         ; poll: PM1a_STS
        0xED,                   // 1D: in ax, dx
        0xA9, 0x00, 0x01,       // 1E: test ax, 0x0100       ; PWRBTN_STS (bit 8)
        0x75, 0x0F,             // 21: jnz +15 (to 32)       ; pressed: power off
        0xBA, 0xFD, 0x03,       // 23: mov dx, 0x3FD         ; COM1 line status register
        0xEC,                   // 26: in al, dx
        0xA8, 0x01,             // 27: test al, 1            ; data ready (bit 0)
        0x74, 0xEF,             // 29: jz -17 (to 1A)        ; nothing received: poll again
        0xBA, 0xF8, 0x03,       // 2B: mov dx, 0x3F8         ; COM1 receive/transmit register
        0xEC,                   // 2E: in al, dx             ; the received byte
        0xEE,                   // 2F: out dx, al            ; echoed back
        0xEB, 0xE8,             // 30: jmp -24 (to 1A)
        0xBA, 0x04, 0x06,       // 32: mov dx, 0x604         ; PM1a_CNT
        0xB8, 0x00, 0x20,       // 35: mov ax, 0x2000        ; SLP_EN with SLP_TYP 0: soft off
        0xEF,                   // 38: out dx, ax
        0xF4,                   // 39: hlt                   ; hang: should the write not power off
        0xEB, 0xFD,             // 3A: jmp -3 (to 39)
    ];

    /// <summary>The 512-byte boot sector: code, message, zero fill, boot signature.</summary>
    public static byte[] BootSector()
    {
        var sector = new byte[512];
        Code.CopyTo(sector, 0);
        if (Code.Length != MessageOffset)
            throw new InvalidOperationException("the code and the message offset disagree");
        var message = Encoding.ASCII.GetBytes(ReadyLine + "\r\n\0");
        message.CopyTo(sector, MessageOffset);
        sector[510] = 0x55;
        sector[511] = 0xAA;
        return sector;
    }

    /// <summary>Writes the raw image (boot sector, then zeros up to 1 MiB).</summary>
    public static void Write(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write(BootSector());
        file.SetLength(ImageSize);
    }
}
