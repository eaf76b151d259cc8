using System.Text.Json;
using Virt.Protocol.Domains;

namespace Virt.Protocol.Tests.Domains;

/// <summary>Compares definitions field by field, lists included (records compare lists by reference).</summary>
public static class ModelAssert
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static void Equivalent(DomainDefinition expected, DomainDefinition actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected, Options), JsonSerializer.Serialize(actual, Options));
}
