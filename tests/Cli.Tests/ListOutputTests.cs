using System.Text.Json;
using Virt.Cli.Output;
using static Virt.Cli.Tests.Domains;

namespace Virt.Cli.Tests;

/// <summary>`virt list` output: virsh's table, bare columns and JSON.</summary>
public sealed class ListOutputTests
{
    [Fact]
    public void The_table_has_virsh_header_dash_line_and_three_space_gaps()
    {
        var text = DomainText.List([Running("vm1", 1), ShutOff("vm2")], ListView.Default);

        Assert.Equal(
            " Id   Name   State\n" +
            "-----------------------\n" +
            " 1    vm1    running\n" +
            " -    vm2    shut off\n",
            text);
    }

    [Fact]
    public void An_empty_list_is_the_header_and_a_dash_line_as_wide_as_the_header_columns_plus_three()
    {
        Assert.Equal(" Id   Name   State\n--------------------\n", DomainText.List([], ListView.Default));
    }

    [Fact]
    public void Columns_grow_with_the_longest_name_and_id()
    {
        var longName = "a-rather-long-domain-name";
        var text = DomainText.List([Running("vm1", 7), Running(longName, 12, "44444444-2222-3333-4444-555555555555")], ListView.Default);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(" Id   Name" + new string(' ', longName.Length - 4 + 3) + "State", lines[0]);
        Assert.Equal((2 + 3) + (longName.Length + 3) + (7 + 3), lines[1].Length);
        Assert.All(lines[1], c => Assert.Equal('-', c));
        Assert.Equal(" 7    vm1" + new string(' ', longName.Length - 3 + 3) + "running", lines[2]);
        Assert.Equal(" 12   " + longName + "   running", lines[3]);
    }

    [Fact]
    public void Rows_come_in_virsh_order_running_by_id_then_inactive_by_name_ignoring_case()
    {
        var text = DomainText.List(
            [ShutOff("zeta"), Running("b", 10, "44444444-2222-3333-4444-555555555555"), ShutOff("Alpha", "55555555-2222-3333-4444-555555555555"), Running("a", 2)],
            ListView.Default);
        var names = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        Assert.Equal(["a", "b", "Alpha", "zeta"], names);
    }

    [Fact]
    public void Quiet_drops_the_header_and_the_dash_line()
    {
        Assert.Equal(" 1   vm1   running\n", DomainText.List([Running("vm1", 1)], ListView.Default, header: false));
    }

    [Fact]
    public void Name_prints_one_name_a_line_and_uuid_one_uuid_a_line()
    {
        var domains = new[] { Running("vm1", 1), ShutOff("vm2") };
        Assert.Equal("vm1\nvm2\n", DomainText.List(domains, ListView.From(false, false, true, false)));
        Assert.Equal("11111111-2222-3333-4444-555555555555\n33333333-2222-3333-4444-555555555555\n",
            DomainText.List(domains, ListView.From(false, true, false, false)));
        Assert.Equal("11111111-2222-3333-4444-555555555555 vm1\n33333333-2222-3333-4444-555555555555 vm2\n",
            DomainText.List(domains, ListView.From(false, true, true, false)));
    }

    [Fact]
    public void Id_alone_skips_inactive_domains_but_not_beside_a_name()
    {
        var domains = new[] { Running("vm1", 3), ShutOff("vm2") };
        Assert.Equal("3\n", DomainText.List(domains, ListView.From(false, false, false, true)));
        Assert.Equal("3 vm1\n- vm2\n", DomainText.List(domains, ListView.From(false, false, true, true)));
    }

    [Fact]
    public void Table_with_uuid_adds_a_uuid_column()
    {
        var text = DomainText.List([Running("vm1", 1)], ListView.From(true, true, false, false));
        Assert.StartsWith(" Id   Name   State     UUID\n", text);
        Assert.EndsWith(" 1    vm1    running   11111111-2222-3333-4444-555555555555\n", text);
    }

    [Fact]
    public void A_control_character_in_a_cell_prints_escaped_and_keeps_the_columns()
    {
        var text = new VshTable("Target", "Source").Add("vda", "/img/a\tb").Add("vdb", "/x").Format();
        Assert.Equal(" Target   Source\n-----------------------\n vda      /img/a\\x09b\n vdb      /x\n", text);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_a_bug()
    {
        Assert.Throws<ArgumentException>(() => new VshTable("Id", "Name").Add("1"));
    }

    [Fact]
    public void Json_lists_every_domain_with_typed_fields()
    {
        using var doc = JsonDocument.Parse(DomainJson.List([ShutOff("vm2"), Running("vm1", 4, autostart: true)]));
        var items = doc.RootElement.EnumerateArray().ToArray();

        Assert.Equal(2, items.Length);
        Assert.Equal(4, items[0].GetProperty("id").GetInt32());
        Assert.Equal("vm1", items[0].GetProperty("name").GetString());
        Assert.Equal("running", items[0].GetProperty("state").GetString());
        Assert.Equal("booted", items[0].GetProperty("reason").GetString());
        Assert.True(items[0].GetProperty("autostart").GetBoolean());
        Assert.Equal(JsonValueKind.Null, items[1].GetProperty("id").ValueKind);
        Assert.Equal("shut off", items[1].GetProperty("state").GetString());
        Assert.Equal("destroyed", items[1].GetProperty("reason").GetString());
        Assert.Equal("33333333-2222-3333-4444-555555555555", items[1].GetProperty("uuid").GetString());
    }
}
