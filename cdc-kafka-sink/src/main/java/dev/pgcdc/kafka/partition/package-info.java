/** Kafka {@code Partitioner}s for the key hashes kafka-clients does not ship: CRC-32 and the FNV-1a reference hash. */
package dev.pgcdc.kafka.partition;
