using System.Buffers;

namespace Vigil.Postgres.Copy;

/// <summary>
/// Field-level rules of COPY's textual formats, at the byte level (safe for UTF-8 and the single-byte encodings: the
/// structural bytes are ASCII and never occur inside a multibyte character). Reading follows PostgreSQL 15
/// copyfromparse.c (CopyReadAttributesText / CopyReadAttributesCSV), writing follows copyto.c (CopyAttributeOutText /
/// CopyAttributeOutCSV), so a re-encoded field reads back as the value the masker wrote.
/// </summary>
internal static class CopyFieldCodec
{
    /// <summary>Where a row's next field ends (index of its delimiter, or <paramref name="line"/>'s length).</summary>
    public static int FieldEnd(ReadOnlySpan<byte> line, int start, CopyOptions options, out bool quoted)
    {
        quoted = false;
        var i = start;
        if (options.Format == CopyFormat.Text)
        {
            while (i < line.Length && line[i] != options.Delimiter)
            {
                i += line[i] == (byte)'\\' ? 2 : 1;
            }

            return Math.Min(i, line.Length);
        }

        var inQuotes = false;
        while (i < line.Length)
        {
            var c = line[i];
            if (!inQuotes)
            {
                if (c == options.Delimiter)
                {
                    break;
                }

                if (c == options.Quote)
                {
                    quoted = inQuotes = true;
                }

                i++;
            }
            else if (c == options.Escape && i + 1 < line.Length && (line[i + 1] == options.Quote || line[i + 1] == options.Escape))
            {
                i += 2;
            }
            else
            {
                inQuotes = c != options.Quote;
                i++;
            }
        }

        return i;
    }

    /// <summary>Writes the value of a raw field (escapes and quotes resolved) to <paramref name="output"/>; returns its length.</summary>
    public static int Unescape(ReadOnlySpan<byte> raw, CopyOptions options, Span<byte> output)
    {
        var n = 0;
        var i = 0;
        if (options.Format == CopyFormat.Csv)
        {
            var inQuotes = false;
            while (i < raw.Length)
            {
                var c = raw[i];
                if (!inQuotes)
                {
                    if (c == options.Quote)
                    {
                        inQuotes = true;
                    }
                    else
                    {
                        output[n++] = c;
                    }

                    i++;
                }
                else if (c == options.Escape && i + 1 < raw.Length && (raw[i + 1] == options.Quote || raw[i + 1] == options.Escape))
                {
                    output[n++] = raw[i + 1];
                    i += 2;
                }
                else if (c == options.Quote)
                {
                    inQuotes = false;
                    i++;
                }
                else
                {
                    output[n++] = c;
                    i++;
                }
            }

            return n;
        }

        while (i < raw.Length)
        {
            var c = raw[i++];
            if (c != (byte)'\\' || i == raw.Length)
            {
                output[n++] = c;
                continue;
            }

            c = raw[i++];
            switch (c)
            {
                case >= (byte)'0' and <= (byte)'7':
                    var octal = c - '0';
                    for (var digits = 1; digits < 3 && i < raw.Length && raw[i] is >= (byte)'0' and <= (byte)'7'; digits++)
                    {
                        octal = (octal << 3) + (raw[i++] - '0');
                    }

                    output[n++] = (byte)(octal & 0xFF);
                    break;
                case (byte)'x' when i < raw.Length && IsHex(raw[i]):
                    var hex = HexValue(raw[i++]);
                    if (i < raw.Length && IsHex(raw[i]))
                    {
                        hex = (hex << 4) + HexValue(raw[i++]);
                    }

                    output[n++] = (byte)hex;
                    break;
                case (byte)'b': output[n++] = (byte)'\b'; break;
                case (byte)'f': output[n++] = (byte)'\f'; break;
                case (byte)'n': output[n++] = (byte)'\n'; break;
                case (byte)'r': output[n++] = (byte)'\r'; break;
                case (byte)'t': output[n++] = (byte)'\t'; break;
                case (byte)'v': output[n++] = (byte)'\v'; break;
                default: output[n++] = c; break;
            }
        }

        return n;
    }

    /// <summary>Length of <paramref name="value"/> (the field's bytes in the session encoding) once escaped or quoted.</summary>
    public static int EscapedLength(ReadOnlySpan<byte> value, bool equalsNullMarker, bool singleColumn, CopyOptions options)
    {
        if (options.Format == CopyFormat.Text)
        {
            var length = value.Length;
            foreach (var c in value)
            {
                if (NeedsTextEscape(c, options))
                {
                    length++;
                }
            }

            return length;
        }

        if (!NeedsCsvQuotes(value, equalsNullMarker, singleColumn, options))
        {
            return value.Length;
        }

        var quoted = value.Length + 2;
        foreach (var c in value)
        {
            if (c == options.Quote || c == options.Escape)
            {
                quoted++;
            }
        }

        return quoted;
    }

    /// <summary>Writes <paramref name="value"/> escaped (text) or quoted when needed (CSV); returns bytes written.</summary>
    public static int Escape(ReadOnlySpan<byte> value, bool equalsNullMarker, bool singleColumn, CopyOptions options, Span<byte> output)
    {
        var n = 0;
        if (options.Format == CopyFormat.Text)
        {
            foreach (var c in value)
            {
                if (NeedsTextEscape(c, options))
                {
                    output[n++] = (byte)'\\';
                    output[n++] = c switch
                    {
                        (byte)'\b' => (byte)'b',
                        (byte)'\f' => (byte)'f',
                        (byte)'\n' => (byte)'n',
                        (byte)'\r' => (byte)'r',
                        (byte)'\t' => (byte)'t',
                        (byte)'\v' => (byte)'v',
                        _ => c,
                    };
                }
                else
                {
                    output[n++] = c;
                }
            }

            return n;
        }

        if (!NeedsCsvQuotes(value, equalsNullMarker, singleColumn, options))
        {
            value.CopyTo(output);
            return value.Length;
        }

        output[n++] = options.Quote;
        foreach (var c in value)
        {
            if (c == options.Quote || c == options.Escape)
            {
                output[n++] = options.Escape;
            }

            output[n++] = c;
        }

        output[n++] = options.Quote;
        return n;
    }

    /// <summary>CopyAttributeOutText: backslash, the delimiter and the control characters it names are escaped.</summary>
    private static bool NeedsTextEscape(byte c, CopyOptions options) =>
        c == (byte)'\\' || c == options.Delimiter || c is (byte)'\b' or (byte)'\f' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\v';

    /// <summary>
    /// CopyAttributeOutCSV: quoted when the value equals the NULL marker (so it is not read as NULL), contains the
    /// delimiter, the quote, CR or LF, or is <c>\.</c> alone on a line.
    /// </summary>
    private static bool NeedsCsvQuotes(ReadOnlySpan<byte> value, bool equalsNullMarker, bool singleColumn, CopyOptions options) =>
        equalsNullMarker
        || (singleColumn && value.SequenceEqual("\\."u8))
        || value.IndexOfAny(options.Delimiter, options.Quote) >= 0
        || value.IndexOfAny((byte)'\n', (byte)'\r') >= 0;

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
