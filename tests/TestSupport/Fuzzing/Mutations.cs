using System.Text;

namespace Virt.TestSupport.Fuzzing;

/// <summary>Blind mutations of bytes, text and word lists, and random values a hostile user might type.</summary>
public static class Mutations
{
    private static readonly string[] HostileFragments =
    [
        ",", ",,", "=", "\n", "\r\n", "\0", " ", "-", "--", "..", "../", "/", "'", "\"", "\\", "{", "}", "[", "]",
        ":", ";", "$(reboot)", "`id`", "&", "<", ">", "\u00e9", "\u202e", "\ud83d\ude00", "-drive", "file=", "id=x",
        "0", "-1", "4294967296", "99999999999999999999", "NaN", "1e308", "true", "null", "",
    ];

    /// <summary>Flips, inserts, deletes, duplicates or overwrites a few bytes.</summary>
    public static byte[] Bytes(Random random, byte[] input)
    {
        var bytes = new List<byte>(input);
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(16)));
                    break;
                case 3 when bytes.Count > 0:
                    var len = Math.Min(bytes.Count - at, 1 + random.Next(32));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, len));
                    break;
                case 4 when bytes.Count > 0:
                    bytes[at] = (byte)"\"{}[],:0-\\ \0\xff"[random.Next(13)];
                    break;
                default:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Hostile(random)));
                    break;
            }
        }
        return [.. bytes];
    }

    /// <summary>A value made of pieces that break naive option, path or shell handling.</summary>
    public static string Hostile(Random random)
    {
        var sb = new StringBuilder();
        var parts = 1 + random.Next(5);
        for (var i = 0; i < parts; i++)
        {
            if (random.Next(3) == 0)
                sb.Append((char)random.Next(0x20, 0x7f));
            else
                sb.Append(HostileFragments[random.Next(HostileFragments.Length)]);
        }
        return sb.ToString();
    }

    /// <summary>Any element of a list.</summary>
    public static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
