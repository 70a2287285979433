/**
 * The Kafka sink: {@link dev.pgcdc.kafka.KafkaSink} configured by {@link dev.pgcdc.kafka.KafkaSinkSettings}
 * (builder or the {@code pgcdc.kafka} section), found as {@code sink.name = kafka} through
 * {@link dev.pgcdc.kafka.KafkaSinkProvider}.
 */
package dev.pgcdc.kafka;
