/** Kafka for tests: the shared cluster ({@link dev.pgcdc.testkit.kafka.TestKafka}), local KRaft brokers that tests may kill and restart, and topic helpers. */
package dev.pgcdc.testkit.kafka;
