package dev.pgcdc.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.StreamOrigin;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The offsets topic's value format and the origin check at resume. */
class StoredPositionTest {

    private static final Position POSITION = Position.parse("16/B374D848#3");
    private static final StreamOrigin STORED = new StreamOrigin("7301234567890123456", 1, Lsn.INVALID);
    private static final KafkaSinkSettings SETTINGS = KafkaSinkSettings.builder().bootstrapServers("kafka-1:9092").exactlyOnce(true)
            .transactionalId("pgcdc-orders").build();

    @Test
    void writesThePositionWithTheClustersSystemIdAndTimeline() {
        StoredPosition stored = new StoredPosition(POSITION, Optional.of(new StreamOrigin("7301234567890123456", 1, Lsn.of(0x99))));

        assertThat(stored.encode()).isEqualTo("16/B374D848#3;system=7301234567890123456;timeline=1");
        assertThat(StoredPosition.parse(stored.encode())).isEqualTo(new StoredPosition(POSITION, Optional.of(STORED)));
    }

    @Test
    void readsTheBarePositionOfEarlierVersionsWithAnUnknownOrigin() {
        assertThat(StoredPosition.parse("16/B374D848#3")).isEqualTo(new StoredPosition(POSITION, Optional.empty()));
        assertThat(new StoredPosition(POSITION, Optional.empty()).encode()).isEqualTo("16/B374D848#3");
    }

    @Test
    void ignoresFieldsALaterVersionMayAdd() {
        assertThat(StoredPosition.parse("16/B374D848#3;system=7301234567890123456;timeline=1;walEnd=17/0"))
                .isEqualTo(new StoredPosition(POSITION, Optional.of(STORED)));
    }

    @Test
    void refusesAHalfOriginOrABadTimeline() {
        assertThatThrownBy(() -> StoredPosition.parse("16/B374D848#3;system=73")).hasMessageContaining("system but no timeline");
        assertThatThrownBy(() -> StoredPosition.parse("16/B374D848#3;system=73;timeline=x")).hasMessageContaining("timeline \"x\"");
        assertThatThrownBy(() -> StoredPosition.parse("16/B374D848#3;oops")).hasMessageContaining("not name=value");
    }

    @Test
    void aPromotedStandbyOfTheSameClusterResumes() {
        StreamOrigin promoted = new StreamOrigin("7301234567890123456", 2, Lsn.parse("17/0"));

        assertThatCode(() -> KafkaSink.checkOrigin(new StoredPosition(POSITION, Optional.of(STORED)), promoted, SETTINGS))
                .doesNotThrowAnyException();
    }

    @Test
    void anotherClusterIsRefusedWithHowToReset() {
        StreamOrigin other = new StreamOrigin("7309999999999999999", 1, Lsn.parse("17/0"));

        assertThatThrownBy(() -> KafkaSink.checkOrigin(new StoredPosition(POSITION, Optional.of(STORED)), other, SETTINGS))
                .isInstanceOf(SinkException.class)
                .hasMessageContaining("refusing to resume from the position stored in the offsets topic __pgcdc_offsets for pgcdc-orders")
                .hasMessageContaining("system identifier 7301234567890123456, but the server is cluster 7309999999999999999")
                .hasMessageContaining("Resuming would skip every change up to 16/B374D848#3 as already written")
                .hasMessageContaining("echo 'pgcdc-orders|NULL' | kafka-console-producer.sh --bootstrap-server kafka-1:9092 --topic __pgcdc_offsets"
                        + " --property parse.key=true --property key.separator='|' --property null.marker=NULL");
    }

    @Test
    void aPositionPastTheServersWalEndIsRefusedAlsoWithoutAStoredOrigin() {
        StreamOrigin restored = new StreamOrigin("7301234567890123456", 1, Lsn.parse("16/0"));

        assertThatThrownBy(() -> KafkaSink.checkOrigin(new StoredPosition(POSITION, Optional.of(STORED)), restored, SETTINGS))
                .isInstanceOf(SinkException.class).hasMessageContaining("past the server's current WAL position 16/0");
        assertThatThrownBy(() -> KafkaSink.checkOrigin(new StoredPosition(POSITION, Optional.empty()), restored, SETTINGS))
                .isInstanceOf(SinkException.class).hasMessageContaining("past the server's current WAL position 16/0");
    }

    @Test
    void aPositionOfAnEarlierVersionWithoutOriginIsAccepted() {
        StreamOrigin any = new StreamOrigin("7309999999999999999", 1, Lsn.parse("17/0"));

        assertThatCode(() -> KafkaSink.checkOrigin(new StoredPosition(POSITION, Optional.empty()), any, SETTINGS)).doesNotThrowAnyException();
    }
}
