package dev.pgcdc.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Whether the Kafka sink may start while a passive failover instance waits for the slot. */
class KafkaSinkStartOrderTest {

    @Test
    void anAtLeastOnceSinkMayStartBeforeTheSourceHoldsTheSlot() {
        KafkaSink sink = new KafkaSink(KafkaSinkSettings.builder().bootstrapServers("localhost:9092").build());

        assertThat(sink.startsBeforeTheSource()).isTrue();
    }

    @Test
    void anExactlyOnceSinkWaitsForTheSlotSoThatItsTransactionalProducerFencesNoActiveInstance() {
        KafkaSink sink = new KafkaSink(KafkaSinkSettings.builder().bootstrapServers("localhost:9092").exactlyOnce(true)
                .transactionalId("pgcdc-shop").build());

        assertThat(sink.startsBeforeTheSource()).isFalse();
    }
}
