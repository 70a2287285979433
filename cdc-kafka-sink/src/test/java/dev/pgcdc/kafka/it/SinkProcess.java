package dev.pgcdc.kafka.it;

import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonHandlerSettings;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * A connector process for crash tests, run in a child JVM: the {@link Workload} from a
 * {@link ScriptedSource} through the JSON handler into a {@link KafkaSink}. Like PostgreSQL with a
 * replication slot, it keeps the confirmed LSN in a state file (updated every 250 ms, like the
 * source's status updates, from what it would report as flushed) and replays from there when started again, so killing it with
 * {@code kill -9} and starting it again is what happens to the real service.
 *
 * <p>Arguments: bootstrap servers, topic, table, {@code exactly-once} or {@code at-least-once},
 * transactional id, offsets topic, event count, state file. Prints {@code committed-position <p>}
 * after start and {@code done} at the end; exits 0 when every event is acknowledged.
 */
public final class SinkProcess {

    private SinkProcess() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        TableId table = TableId.parse(args[2]);
        boolean exactlyOnce = args[3].equals("exactly-once");
        String transactionalId = args[4];
        String offsetsTopic = args[5];
        long count = Long.parseLong(args[6]);
        Path state = Path.of(args[7]);

        Lsn startAfter = Files.exists(state) ? Lsn.parse(Files.readString(state, StandardCharsets.UTF_8).trim()) : Lsn.INVALID;
        ScriptedSource source = new ScriptedSource(count, new Workload(table, 1000)::event, startAfter, Duration.ZERO);
        KafkaSink sink = new KafkaSink(KafkaSinkSettings.builder().bootstrapServers(bootstrap).mapTable(table, topic)
                .exactlyOnce(exactlyOnce).transactionalId(transactionalId).offsetsTopic(offsetsTopic).build());
        Pipeline pipeline = new Pipeline("crash-test", source, new JsonChangeHandler(JsonHandlerSettings.defaults()), sink,
                PipelineSettings.defaults(), null);
        pipeline.start();
        System.out.println("start-after " + startAfter);
        System.out.println("committed-position " + sink.committedPosition().map(Object::toString).orElse("none"));
        System.out.flush();
        Lsn last = Workload.lsnOf(count);
        Lsn saved = startAfter;
        while (!pipeline.isTerminated()) {
            Lsn confirmed = source.confirmedLsn();
            if (!confirmed.equals(saved)) {
                save(state, confirmed);
                saved = confirmed;
            }
            if (confirmed.equals(last)) {
                break;
            }
            Thread.sleep(250);
        }
        pipeline.stop();
        save(state, source.confirmedLsn());
        if (pipeline.failure().isPresent()) {
            pipeline.failure().get().printStackTrace();
            System.exit(1);
        }
        System.out.println("done");
        System.exit(0);
    }

    private static void save(Path state, Lsn lsn) throws java.io.IOException {
        Path temporary = state.resolveSibling(state.getFileName() + ".tmp");
        Files.writeString(temporary, lsn.toString(), StandardCharsets.UTF_8);
        Files.move(temporary, state, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
