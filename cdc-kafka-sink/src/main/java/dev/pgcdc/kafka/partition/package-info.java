/**
 * Kafka {@code Partitioner}s for the balancers kafka-clients does not ship, with the key-to-partition
 * mapping of kafka-go (and so of go-pq-cdc-kafka): FNV-1a ({@code Hash}), the FNV-1a reference hash
 * ({@code ReferenceHash}), CRC-32 ({@code CRC32Balancer}) and least bytes ({@code LeastBytes}).
 */
package dev.pgcdc.kafka.partition;
