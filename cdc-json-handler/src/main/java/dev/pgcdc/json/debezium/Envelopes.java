package dev.pgcdc.json.debezium;

import java.util.List;

/** Debezium's fixed schemas: the PostgreSQL {@code source} block, the {@code transaction} block and the change envelope. */
final class Envelopes {

    /** Debezium's SnapshotRecord values, in its order. */
    static final String SNAPSHOT_VALUES = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental";

    static final ConnectSchema SOURCE = ConnectSchema.struct("io.debezium.connector.postgresql.Source", 1, List.of(
            field("version", ConnectSchema.of("string")),
            field("connector", ConnectSchema.of("string")),
            field("name", ConnectSchema.of("string")),
            field("ts_ms", ConnectSchema.of("int64")),
            field("snapshot", ConnectSchema.named("string", "io.debezium.data.Enum").withParameters("allowed", SNAPSHOT_VALUES)
                    .withDefault("false").asOptional()),
            field("db", ConnectSchema.of("string")),
            field("sequence", ConnectSchema.of("string").asOptional()),
            field("ts_us", ConnectSchema.of("int64").asOptional()),
            field("ts_ns", ConnectSchema.of("int64").asOptional()),
            field("schema", ConnectSchema.of("string")),
            field("table", ConnectSchema.of("string")),
            field("txId", ConnectSchema.of("int64").asOptional()),
            field("lsn", ConnectSchema.of("int64").asOptional()),
            field("xmin", ConnectSchema.of("int64").asOptional()),
            field("origin", ConnectSchema.of("string").asOptional()),
            field("origin_lsn", ConnectSchema.of("int64").asOptional())));

    static final ConnectSchema TRANSACTION = ConnectSchema.struct("event.block", 1, List.of(
            field("id", ConnectSchema.of("string")),
            field("total_order", ConnectSchema.of("int64")),
            field("data_collection_order", ConnectSchema.of("int64")))).asOptional();

    private Envelopes() {
    }

    /**
     * {@code name} (…Envelope), version 2: before, after, source, transaction, op, ts_ms, ts_us, ts_ns, as Debezium orders them
     * (its TableSchemaBuilder defines before/after, source and transaction, then Envelope's builder appends op and the timestamps).
     */
    static ConnectSchema envelope(String name, ConnectSchema value) {
        return ConnectSchema.struct(name, 2, List.of(
                field("before", value),
                field("after", value),
                field("source", SOURCE),
                field("transaction", TRANSACTION),
                field("op", ConnectSchema.of("string")),
                field("ts_ms", ConnectSchema.of("int64").asOptional()),
                field("ts_us", ConnectSchema.of("int64").asOptional()),
                field("ts_ns", ConnectSchema.of("int64").asOptional())));
    }

    private static ConnectSchema.Field field(String name, ConnectSchema schema) {
        return new ConnectSchema.Field(name, schema);
    }
}
