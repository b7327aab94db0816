namespace Vigil.Postgres.Tests.Results;

/// <summary>
/// Whole backend messages (code, length, body) captured from a real PostgreSQL 15.18 (Debian 15.18-0+deb12u1, UTF8
/// database, initdb defaults) with a raw protocol-3 client: simple Query for text results and COPY, Parse/Bind with
/// result format 1/Describe/Execute/Sync for binary results. The table was
/// <c>create table customers(id int primary key, email text unique, note text, tags varchar[])</c> holding
/// (1, 'ann@example.com', E'line1\nline2\t"quoted", a\\b', '{x,"y z"}'), (2, 'bob@example.org', NULL, NULL),
/// (3, '', ',;', '{}'). Values of send functions were checked with <c>select encode(jsonb_send(…), 'hex')</c> and
/// <c>array_send</c>.
/// </summary>
public static class Captured
{
    /// <summary>
    /// Binary result of <c>select 'ann@example.com'::text as email, 42::int4 as n, '{"email": "ann@example.com"}'::jsonb as doc,
    /// array['ann@example.com', null, 'b c']::text[] as tags, null::text as nothing</c>.
    /// </summary>
    public const string BinaryRowDescription = "54000000790005656d61696c0000000000000000000019ffffffffffff00016e00000000000000000000170004ffffffff0001646f630000000000000000000edaffffffffffff00017461677300000000000000000003f1ffffffffffff00016e6f7468696e670000000000000000000019ffffffffffff0001";

    /// <summary>The DataRow of <see cref="BinaryRowDescription"/>.</summary>
    public const string BinaryDataRow = "440000007c00050000000f616e6e406578616d706c652e636f6d000000040000002a0000001d017b22656d61696c223a2022616e6e406578616d706c652e636f6d227d0000003200000001000000010000001900000003000000010000000f616e6e406578616d706c652e636f6dffffffff00000003622063ffffffff";

    /// <summary>
    /// Binary result of <c>select array['{"e": "x@y.z"}'::jsonb, null]::jsonb[] as docs, '{{a,b},{c,d}}'::varchar[] as grid,
    /// 'é'::bpchar(3) as padded, ''::text as empty</c>.
    /// </summary>
    public const string BinaryArraysRowDescription = "54000000650004646f63730000000000000000000edfffffffffffff00016772696400000000000000000003f7ffffffffffff00017061646465640000000000000000000412ffff000000070001656d7074790000000000000000000019ffffffffffff0001";

    /// <summary>The DataRow of <see cref="BinaryArraysRowDescription"/>.</summary>
    public const string BinaryArraysDataRow = "440000007500040000002b000000010000000100000eda00000002000000010000000f017b2265223a20227840792e7a227dffffffff0000003000000002000000000000041300000002000000010000000200000001000000016100000001620000000163000000016400000004c3a9202000000000";

    /// <summary><c>select encode(array_send('{}'::text[]), 'hex')</c>: an empty text[] (ndim 0).</summary>
    public const string EmptyTextArray = "000000000000000000000019";

    /// <summary>Text result of <c>select id, email from customers where id = 1</c> (a table column: table OID 16388).</summary>
    public const string TableRowDescription = "54000000330002696400000040040001000000170004ffffffff0000656d61696c0000004004000200000019ffffffffffff0000";

    /// <summary>The DataRow of <see cref="TableRowDescription"/>.</summary>
    public const string TableDataRow = "440000001e000200000001310000000f616e6e406578616d706c652e636f6d";

    /// <summary>The ErrorResponse of <c>insert into customers values (4, 'ann@example.com')</c> (unique violation 23505).</summary>
    public const string UniqueViolation = "45000000db534552524f5200564552524f5200433233353035004d6475706c6963617465206b65792076616c75652076696f6c6174657320756e6971756520636f6e73747261696e742022637573746f6d6572735f656d61696c5f6b65792200444b65792028656d61696c293d28616e6e406578616d706c652e636f6d2920616c7265616479206578697374732e00737075626c69630074637573746f6d657273006e637573746f6d6572735f656d61696c5f6b657900466e6274696e736572742e63004c36363400525f62745f636865636b5f756e697175650000";

    /// <summary>
    /// The NoticeResponse of <c>do $$ begin raise notice 'found %', 'ann@example.com' using detail = 'card 4111 1111 1111 1111',
    /// hint = 'call 555-0100'; end $$</c> (with a 'W' context field).
    /// </summary>
    public const string Notice = "4e000000b3534e4f5449434500564e4f5449434500433030303030004d666f756e6420616e6e406578616d706c652e636f6d0044636172642034313131203131313120313131312031313131004863616c6c203535352d303130300057504c2f706753514c2066756e6374696f6e20696e6c696e655f636f64655f626c6f636b206c696e6520312061742052414953450046706c5f657865632e63004c333839310052657865635f73746d745f72616973650000";

    /// <summary>The CopyOutResponse of <c>copy customers to stdout</c> (textual, 4 text columns); the same for the CSV runs.</summary>
    public const string CopyOutResponse = "480000000f0000040000000000000000";

    /// <summary>The CopyData messages of <c>copy customers to stdout</c>, one row each.</summary>
    public static readonly string[] CopyText =
    [
        "640000003d3109616e6e406578616d706c652e636f6d096c696e65315c6e6c696e65325c742271756f746564222c20615c5c62097b782c2279207a227d0a",
        "640000001c3209626f62406578616d706c652e6f7267095c4e095c4e0a",
        "640000000d3309092c3b097b7d0a",
    ];

    /// <summary>The CopyData messages of <c>copy customers to stdout (format csv)</c>.</summary>
    public static readonly string[] CopyCsv =
    [
        "6400000042312c616e6e406578616d706c652e636f6d2c226c696e65310a6c696e653209222271756f74656422222c20615c62222c227b782c222279207a22227d220a",
        "6400000018322c626f62406578616d706c652e6f72672c2c0a",
        "6400000011332c22222c222c3b222c7b7d0a",
    ];

    /// <summary>The CopyData messages of <c>copy customers to stdout (format csv, delimiter ';', header)</c>.</summary>
    public static readonly string[] CopyCsvSemicolonHeader =
    [
        "640000001769643b656d61696c3b6e6f74653b746167730a",
        "6400000042313b616e6e406578616d706c652e636f6d3b226c696e65310a6c696e653209222271756f74656422222c20615c62223b227b782c222279207a22227d220a",
        "6400000018323b626f62406578616d706c652e6f72673b3b0a",
        "6400000011333b22223b222c3b223b7b7d0a",
    ];

    /// <summary>The rows of the customers table as the COPY runs hold them (null = SQL NULL).</summary>
    public static readonly string?[][] CustomerRows =
    [
        ["1", "ann@example.com", "line1\nline2\t\"quoted\", a\\b", "{x,\"y z\"}"],
        ["2", "bob@example.org", null, null],
        ["3", "", ",;", "{}"],
    ];

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex);

    /// <summary>The body of a whole captured message (without its 5-byte header).</summary>
    public static byte[] Body(string hex) => Convert.FromHexString(hex)[5..];
}
