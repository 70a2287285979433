package dev.pgcdc.postgres.types;

import dev.pgcdc.api.event.ColumnFacts;
import dev.pgcdc.api.event.ColumnFacts.Nullability;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves a column's type OID to its {@link ColumnType}: built-in types from a fixed table, others
 * (enums, domains, arrays of them, ranges, composites, extension types) by a {@link TypeCatalog}
 * lookup, once per OID. Domains decode as their base type; enums, ranges, composites and unknown
 * types as text. A resolved type carries its {@link ColumnFacts}: a domain's base type name and
 * modifier, an enum's labels (also for arrays of them). Used on the replication thread only; not thread-safe.
 */
public final class TypeRegistry {

    private static final Map<Integer, ColumnType> BUILTIN = new HashMap<>();

    static {
        scalar(16, "bool", ScalarDecoders.BOOL, 1000);
        scalar(17, "bytea", ScalarDecoders.BYTEA, 1001);
        scalar(18, "char", ScalarDecoders.TEXT, 1002);
        scalar(19, "name", ScalarDecoders.TEXT, 1003);
        scalar(20, "int8", ScalarDecoders.INT8, 1016);
        scalar(21, "int2", ScalarDecoders.INT2, 1005);
        scalar(23, "int4", ScalarDecoders.INT4, 1007);
        scalar(25, "text", ScalarDecoders.TEXT, 1009);
        scalar(26, "oid", ScalarDecoders.OID, 1028);
        scalar(114, "json", ScalarDecoders.TEXT, 199);
        scalar(142, "xml", ScalarDecoders.TEXT, 143);
        scalar(650, "cidr", ScalarDecoders.TEXT, 651);
        scalar(700, "float4", ScalarDecoders.FLOAT4, 1021);
        scalar(701, "float8", ScalarDecoders.FLOAT8, 1022);
        scalar(774, "macaddr8", ScalarDecoders.TEXT, 775);
        scalar(790, "money", ScalarDecoders.MONEY, 791);
        scalar(829, "macaddr", ScalarDecoders.TEXT, 1040);
        scalar(869, "inet", ScalarDecoders.TEXT, 1041);
        scalar(1042, "bpchar", ScalarDecoders.TEXT, 1014);
        scalar(1043, "varchar", ScalarDecoders.TEXT, 1015);
        scalar(1082, "date", TemporalDecoders.DATE, 1182);
        scalar(1083, "time", TemporalDecoders.TIME, 1183);
        scalar(1114, "timestamp", TemporalDecoders.TIMESTAMP, 1115);
        scalar(1184, "timestamptz", TemporalDecoders.TIMESTAMPTZ, 1185);
        scalar(1186, "interval", TemporalDecoders.INTERVAL, 1187);
        scalar(1266, "timetz", TemporalDecoders.TIMETZ, 1270);
        scalar(1560, "bit", ScalarDecoders.TEXT, 1561);
        scalar(1562, "varbit", ScalarDecoders.TEXT, 1563);
        scalar(1700, "numeric", ScalarDecoders.NUMERIC, 1231);
        scalar(2950, "uuid", ScalarDecoders.UUID_DECODER, 2951);
        scalar(3802, "jsonb", ScalarDecoders.TEXT, 3807);
        // built-in types without a natural Java value: their text
        scalar(22, "int2vector", ScalarDecoders.TEXT, 1006);
        scalar(24, "regproc", ScalarDecoders.TEXT, 1008);
        scalar(27, "tid", ScalarDecoders.TEXT, 1010);
        scalar(28, "xid", ScalarDecoders.TEXT, 1011);
        scalar(29, "cid", ScalarDecoders.TEXT, 1012);
        scalar(30, "oidvector", ScalarDecoders.TEXT, 1013);
        scalar(600, "point", ScalarDecoders.TEXT, 1017);
        scalar(601, "lseg", ScalarDecoders.TEXT, 1018);
        scalar(602, "path", ScalarDecoders.TEXT, 1019);
        scalar(604, "polygon", ScalarDecoders.TEXT, 1027);
        scalar(628, "line", ScalarDecoders.TEXT, 629);
        scalar(718, "circle", ScalarDecoders.TEXT, 719);
        scalar(2205, "regclass", ScalarDecoders.TEXT, 2210);
        scalar(2206, "regtype", ScalarDecoders.TEXT, 2211);
        scalar(3220, "pg_lsn", ScalarDecoders.TEXT, 3221);
        scalar(3614, "tsvector", ScalarDecoders.TEXT, 3643);
        scalar(3615, "tsquery", ScalarDecoders.TEXT, 3645);
        scalar(4072, "jsonpath", ScalarDecoders.TEXT, 4073);
        scalar(5069, "xid8", ScalarDecoders.TEXT, 271);
        scalar(3904, "int4range", ScalarDecoders.TEXT, 3905);
        scalar(3906, "numrange", ScalarDecoders.TEXT, 3907);
        scalar(3908, "tsrange", ScalarDecoders.TEXT, 3909);
        scalar(3910, "tstzrange", ScalarDecoders.TEXT, 3911);
        scalar(3912, "daterange", ScalarDecoders.TEXT, 3913);
        scalar(3926, "int8range", ScalarDecoders.TEXT, 3927);
        // box arrays are the one built-in array whose elements are separated by ';'
        ColumnType box = new ColumnType(603, "box", ScalarDecoders.TEXT);
        BUILTIN.put(603, box);
        BUILTIN.put(1020, new ColumnType(1020, "_box", new ArrayDecoder(box.decoder(), ';')));
    }

    private final TypeCatalog catalog;
    private final Map<Integer, ColumnType> resolved = new HashMap<>();
    private final Map<Integer, String> announcedNames = new HashMap<>();

    public TypeRegistry(TypeCatalog catalog) {
        this.catalog = catalog;
    }

    private static void scalar(int oid, String name, ValueDecoder decoder, int arrayOid) {
        BUILTIN.put(oid, new ColumnType(oid, name, decoder));
        BUILTIN.put(arrayOid, new ColumnType(arrayOid, "_" + name, new ArrayDecoder(decoder, ',')));
    }

    /** Whether the OID is one of the built-in types decoded without a catalog lookup. */
    public static boolean isBuiltin(int oid) {
        return BUILTIN.containsKey(oid);
    }

    /** Records the name pgoutput announced for a non-built-in type (its Type message). */
    public void announce(int oid, String namespace, String name) {
        announcedNames.put(oid, namespace.isEmpty() || namespace.equals("pg_catalog") ? name : namespace + '.' + name);
    }

    /** The type of {@code oid}; never null (an unknown type decodes as text). */
    public ColumnType resolve(int oid) {
        ColumnType builtin = BUILTIN.get(oid);
        if (builtin != null) {
            return builtin;
        }
        ColumnType known = resolved.get(oid);
        if (known != null) {
            return known;
        }
        ColumnType type = lookup(oid, 0);
        resolved.put(oid, type);
        return type;
    }

    private ColumnType lookup(int oid, int depth) {
        ColumnType builtin = BUILTIN.get(oid);
        if (builtin != null) {
            return builtin;
        }
        CatalogType row = depth > 8 ? null : catalog.lookup(oid);
        if (row == null) {
            return new ColumnType(oid, announcedNames.getOrDefault(oid, "oid:" + Integer.toUnsignedString(oid)), ScalarDecoders.TEXT);
        }
        if (row.typtype() == 'd' && row.baseTypeOid() != 0) {
            return domain(oid, row, lookup(row.baseTypeOid(), depth + 1));
        }
        if (row.category() == 'A' && row.elementOid() != 0) {
            ColumnType element = lookup(row.elementOid(), depth + 1);
            return new ColumnType(oid, row.name(), new ArrayDecoder(element.decoder(), row.delimiter()), arrayFacts(element));
        }
        if (row.typtype() == 'e') {
            return new ColumnType(oid, row.name(), ScalarDecoders.TEXT, new ColumnFacts(Nullability.UNKNOWN, null, -1, row.enumLabels()));
        }
        return new ColumnType(oid, row.name(), ScalarDecoders.TEXT);
    }

    /** A domain decodes as its base; its facts name the base (through domains over domains) and the modifier declared for it. */
    private static ColumnType domain(int oid, CatalogType row, ColumnType base) {
        ColumnFacts baseFacts = base.facts();
        boolean baseIsDomain = baseFacts.baseTypeName() != null;
        String baseName = baseIsDomain ? baseFacts.baseTypeName() : base.name();
        int modifier = row.typeModifier() >= 0 || !baseIsDomain ? row.typeModifier() : baseFacts.baseTypeModifier();
        boolean notNull = row.notNull() || baseFacts.nullability() == Nullability.NOT_NULL;
        return new ColumnType(oid, row.name(), base.decoder(), new ColumnFacts(notNull ? Nullability.NOT_NULL : Nullability.UNKNOWN,
                baseName, modifier, baseFacts.enumLabels()));
    }

    /** An array's facts: its elements' base type as an array type, its elements' enum labels. */
    private static ColumnFacts arrayFacts(ColumnType element) {
        ColumnFacts facts = element.facts();
        String base = facts.baseTypeName() == null || facts.baseTypeName().startsWith("_") ? null : "_" + facts.baseTypeName();
        if (base == null && facts.enumLabels().isEmpty()) {
            return ColumnFacts.UNKNOWN;
        }
        return new ColumnFacts(Nullability.UNKNOWN, base, base == null ? -1 : facts.baseTypeModifier(), facts.enumLabels());
    }

    /** Forgets looked-up types (a type may have changed while the connection was down). */
    public void clear() {
        resolved.clear();
    }
}
