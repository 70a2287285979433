package dev.pgcdc.json;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time per event of the JSON handler on the seed workload's row ({@code users(id serial pk, name text,
 * created_on timestamptz)}, an insert). Run by hand:
 * <pre>./mvnw -pl cdc-json-handler test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat cdc-json-handler/target/cp.txt) org.openjdk.jmh.Main JsonChangeHandlerBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JsonChangeHandlerBenchmark {

    private static final List<Column> COLUMNS = List.of(new Column("id", 23, "int4", -1, true),
            new Column("name", 25, "text", -1, false), new Column("created_on", 1184, "timestamptz", -1, false));

    @Param({"pgcdc", "debezium", "debezium-schemaless"})
    public String envelope;

    private JsonChangeHandler handler;
    private ChangeEvent[] events;
    private int next;

    @Setup
    public void setUp() {
        handler = new JsonChangeHandler(JsonHandlerSettings.of(java.util.Map.of("envelope", envelope)));
        events = new ChangeEvent[1024];
        Instant base = Instant.parse("2024-03-01T12:30:05.123456Z");
        for (int i = 0; i < events.length; i++) {
            Lsn lsn = Lsn.of(0x16B374D848L + i * 120L);
            events[i] = ChangeEvent.builder(Operation.INSERT).table(new TableId("public", "users"))
                    .after(new Row(COLUMNS, new Object[] {i + 1, "user-" + (i + 1), base.plusNanos(i * 1000L)}))
                    .keyColumns(List.of("id")).transactionId(771 + i / 100).lsn(lsn).commitLsn(lsn).commitTime(base)
                    .position(new Position(lsn, i)).build();
        }
    }

    @Benchmark
    public List<OutRecord> handleInsert() {
        ChangeEvent event = events[next];
        next = (next + 1) & (events.length - 1);
        return handler.handle(event);
    }
}
