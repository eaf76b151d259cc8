using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Firmware;
using Virt.Supervisor.Layout;
using Virt.Supervisor.Tests.CommandLine;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Firmware;

public sealed class FirmwareTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Descriptor(string code, string vars, string machines, params string[] features) => $$$"""
        {"interface-types": ["uefi"],
         "mapping": {"device": "flash", "executable": {"filename": "{{{code}}}", "format": "raw"}, "nvram-template": {"filename": "{{{vars}}}", "format": "raw"}},
         "targets": [{"architecture": "x86_64", "machines": [{{{machines}}}]}],
         "features": [{{{string.Join(", ", features.Select(f => $"\"{f}\""))}}}], "tags": []}
        """;

    private FirmwareCatalog Catalog()
    {
        var usr = _dir.Combine("usr");
        var etc = _dir.Combine("etc");
        Directory.CreateDirectory(usr);
        Directory.CreateDirectory(etc);
        File.WriteAllText(Path.Combine(usr, "40-secure.json"), Descriptor("/fw/SECURE_CODE.fd", "/fw/SECURE_VARS.fd", "\"pc-q35-*\"", "enrolled-keys", "requires-smm", "secure-boot"));
        File.WriteAllText(Path.Combine(usr, "50-masked.json"), Descriptor("/fw/MASKED.fd", "/fw/MASKED_VARS.fd", "\"pc-i440fx-*\", \"pc-q35-*\""));
        File.WriteAllText(Path.Combine(usr, "60-plain.json"), Descriptor("/fw/CODE.fd", "/fw/VARS.fd", "\"pc-i440fx-*\", \"pc-q35-*\""));
        File.WriteAllText(Path.Combine(etc, "50-masked.json"), ""); // an empty file in /etc masks the one in /usr
        File.WriteAllText(Path.Combine(usr, "70-broken.json"), "{ not json");
        return FirmwareCatalog.Load([etc, usr]);
    }

    private static DomainDefinition Efi(string machine, params (string, bool)[] features) => ArgvFixtures.Minimal(machine) with
    {
        Os = new OsConfig { Arch = "x86_64", Machine = machine, Firmware = "efi", FirmwareFeatures = [.. features.Select(f => new KeyValuePair<string, bool>(f.Item1, f.Item2))] },
    };

    [Fact]
    public void The_first_descriptor_that_fits_is_chosen_masked_and_broken_ones_skipped()
    {
        var catalog = Catalog();
        Assert.Equal(["40-secure.json", "60-plain.json"], catalog.Descriptors.Select(d => d.FileName));
        Assert.Equal("/fw/SECURE_CODE.fd", catalog.Select(Efi("q35"), "pc-q35-7.2").Executable);
        Assert.Equal("/fw/CODE.fd", catalog.Select(Efi("pc"), "pc-i440fx-7.2").Executable); // the secure one is q35's only
        Assert.Equal("/fw/CODE.fd", catalog.Select(Efi("q35", ("secure-boot", false)), "pc-q35-7.2").Executable);
        var none = Assert.Throws<VirtException>(() => catalog.Select(Efi("pc", ("secure-boot", true)), "pc-i440fx-7.2"));
        Assert.Contains("secure-boot=yes", none.Message);
    }

    [Fact]
    public void A_uefi_definition_is_completed_with_flash_code_its_variable_store_and_smm_and_built_into_pflash_drives()
    {
        var def = DomainHardware.Complete(Efi("q35"), ArgvFixtures.Caps(), "/var/nvram", Catalog());
        Assert.Equal(new LoaderConfig { Path = "/fw/SECURE_CODE.fd", ReadOnly = true, Secure = true, Type = "pflash", Format = "raw" }, def.Os.Loader);
        Assert.Equal(new NvramConfig { Path = "/var/nvram/QEMUGuest1_VARS.fd", Template = "/fw/SECURE_VARS.fd", TemplateFormat = "raw", Format = "raw" }, def.Os.Nvram);
        Assert.Equal([new("enrolled-keys", true), new("secure-boot", true)], def.Os.FirmwareFeatures);
        Assert.True(def.Features.Smm);

        var argv = ArgvFixtures.Build(def);
        Assert.Contains("pflash0=libvirt-pflash0-format,pflash1=libvirt-pflash1-storage", argv.ValuesOf("-machine").Single());
        Assert.Contains("smm=on", argv.ValuesOf("-machine").Single());
        Assert.Contains("driver=cfi.pflash01,property=secure,value=on", argv.ValuesOf("-global"));
        Assert.Contains(argv.ValuesOf("-blockdev"), b => b.Contains("\"filename\":\"/var/nvram/QEMUGuest1_VARS.fd\"") && b.Contains("\"read-only\":false"));
    }

    [Fact]
    public void Secure_boot_without_smm_is_refused()
    {
        var def = DomainHardware.Complete(Efi("q35"), ArgvFixtures.Caps(), "/var/nvram", Catalog()) is var d
            ? d with { Features = d.Features with { Smm = false } } : null!;
        Assert.Contains("requires SMM", Assert.Throws<VirtException>(() => ArgvFixtures.Build(def)).Message);
    }

    [Fact]
    public void The_variable_store_is_made_from_its_template_once_and_never_overwritten()
    {
        var template = _dir.Combine("VARS.fd");
        File.WriteAllText(template, "template");
        var store = _dir.Combine("nvram", "g_VARS.fd");
        var def = ArgvFixtures.Minimal("q35") with
        {
            Os = new OsConfig { Machine = "q35", Loader = new LoaderConfig { Path = "/fw/CODE.fd", Type = "pflash" }, Nvram = new NvramConfig { Path = store, Template = template } },
        };
        NvramFiles.Prepare(def);
        Assert.Equal("template", File.ReadAllText(store));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store));
        File.WriteAllText(store, "the guest's own");
        NvramFiles.Prepare(def);
        Assert.Equal("the guest's own", File.ReadAllText(store));
    }
}
