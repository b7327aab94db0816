using System.Collections.Frozen;
using System.Globalization;

namespace Vigil.Postgres.Types;

/// <summary>
/// Built-in type OIDs and names (pg_type of PostgreSQL 15, stable across versions: built-in OIDs never change) for
/// recording a result's column types and for deciding which binary values are text (<see cref="TextValueCodec"/>).
/// </summary>
public static class PostgresTypes
{
    /// <summary>bytea.</summary>
    public const uint Bytea = 17;
    /// <summary>text.</summary>
    public const uint Text = 25;
    /// <summary>varchar (character varying).</summary>
    public const uint Varchar = 1043;
    /// <summary>bpchar (character(n)).</summary>
    public const uint Bpchar = 1042;
    /// <summary>name (63-byte identifier).</summary>
    public const uint Name = 19;
    /// <summary>json.</summary>
    public const uint Json = 114;
    /// <summary>jsonb; binary format is a version byte (1) followed by the JSON text (jsonb_send).</summary>
    public const uint Jsonb = 3802;
    /// <summary>xml.</summary>
    public const uint Xml = 142;
    /// <summary>unknown (an untyped literal such as <c>SELECT 'a'</c>).</summary>
    public const uint Unknown = 705;
    /// <summary>text[].</summary>
    public const uint TextArray = 1009;
    /// <summary>varchar[].</summary>
    public const uint VarcharArray = 1015;
    /// <summary>bpchar[].</summary>
    public const uint BpcharArray = 1014;
    /// <summary>name[].</summary>
    public const uint NameArray = 1003;
    /// <summary>json[].</summary>
    public const uint JsonArray = 199;
    /// <summary>jsonb[].</summary>
    public const uint JsonbArray = 3807;
    /// <summary>xml[].</summary>
    public const uint XmlArray = 143;

    /// <summary>pg_type.typname of common built-in types; arrays as the element's name plus <c>[]</c>.</summary>
    private static readonly FrozenDictionary<uint, string> Names = new Dictionary<uint, string>
    {
        [16] = "bool", [1000] = "bool[]",
        [17] = "bytea", [1001] = "bytea[]",
        [18] = "char", [1002] = "char[]",
        [19] = "name", [1003] = "name[]",
        [20] = "int8", [1016] = "int8[]",
        [21] = "int2", [1005] = "int2[]",
        [23] = "int4", [1007] = "int4[]",
        [24] = "regproc", [1008] = "regproc[]",
        [25] = "text", [1009] = "text[]",
        [26] = "oid", [1028] = "oid[]",
        [27] = "tid", [1010] = "tid[]",
        [28] = "xid", [1011] = "xid[]",
        [29] = "cid", [1012] = "cid[]",
        [114] = "json", [199] = "json[]",
        [142] = "xml", [143] = "xml[]",
        [600] = "point", [1017] = "point[]",
        [601] = "lseg", [1018] = "lseg[]",
        [602] = "path", [1019] = "path[]",
        [603] = "box", [1020] = "box[]",
        [604] = "polygon", [1027] = "polygon[]",
        [628] = "line", [629] = "line[]",
        [650] = "cidr", [651] = "cidr[]",
        [700] = "float4", [1021] = "float4[]",
        [701] = "float8", [1022] = "float8[]",
        [718] = "circle", [719] = "circle[]",
        [774] = "macaddr8", [775] = "macaddr8[]",
        [790] = "money", [791] = "money[]",
        [829] = "macaddr", [1040] = "macaddr[]",
        [869] = "inet", [1041] = "inet[]",
        [1042] = "bpchar", [1014] = "bpchar[]",
        [1043] = "varchar", [1015] = "varchar[]",
        [1082] = "date", [1182] = "date[]",
        [1083] = "time", [1183] = "time[]",
        [1114] = "timestamp", [1115] = "timestamp[]",
        [1184] = "timestamptz", [1185] = "timestamptz[]",
        [1186] = "interval", [1187] = "interval[]",
        [1266] = "timetz", [1270] = "timetz[]",
        [1560] = "bit", [1561] = "bit[]",
        [1562] = "varbit", [1563] = "varbit[]",
        [1700] = "numeric", [1231] = "numeric[]",
        [1790] = "refcursor", [2201] = "refcursor[]",
        [2205] = "regclass", [2210] = "regclass[]",
        [2206] = "regtype", [2211] = "regtype[]",
        [2950] = "uuid", [2951] = "uuid[]",
        [3220] = "pg_lsn", [3221] = "pg_lsn[]",
        [3614] = "tsvector", [3643] = "tsvector[]",
        [3615] = "tsquery", [3645] = "tsquery[]",
        [3734] = "regconfig", [3735] = "regconfig[]",
        [3802] = "jsonb", [3807] = "jsonb[]",
        [3904] = "int4range", [3905] = "int4range[]",
        [3906] = "numrange", [3907] = "numrange[]",
        [3908] = "tsrange", [3909] = "tsrange[]",
        [3910] = "tstzrange", [3911] = "tstzrange[]",
        [3912] = "daterange", [3913] = "daterange[]",
        [3926] = "int8range", [3927] = "int8range[]",
        [4072] = "jsonpath", [4073] = "jsonpath[]",
        [4089] = "regnamespace", [4090] = "regnamespace[]",
        [4096] = "regrole", [4097] = "regrole[]",
        [4451] = "int4multirange", [6150] = "int4multirange[]",
        [4532] = "nummultirange", [6151] = "nummultirange[]",
        [4533] = "tsmultirange", [6152] = "tsmultirange[]",
        [4534] = "tstzmultirange", [6153] = "tstzmultirange[]",
        [4535] = "datemultirange", [6155] = "datemultirange[]",
        [4536] = "int8multirange", [6157] = "int8multirange[]",
        [5069] = "xid8", [271] = "xid8[]",
        [22] = "int2vector", [30] = "oidvector", [705] = "unknown", [2249] = "record", [2275] = "cstring", [2278] = "void",
    }.ToFrozenDictionary();

    /// <summary>
    /// The name to record for a column type: pg_type.typname for common built-in types (<c>int4</c>, <c>text</c>,
    /// <c>timestamptz</c>, <c>text[]</c>), otherwise the OID as a decimal number (user-defined types, extensions).
    /// </summary>
    /// <param name="typeOid">A RowDescription field's type OID.</param>
    /// <returns>The type's name or its OID in decimal.</returns>
    public static string GetName(uint typeOid) =>
        Names.TryGetValue(typeOid, out var name) ? name : typeOid.ToString(CultureInfo.InvariantCulture);
}
