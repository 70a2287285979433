/**
 * Active/passive failover on slot liveness (docs/operations.md, "Running several instances
 * (failover)"): {@link dev.pgcdc.coordination.failover.JdbcSlotLiveness} reads who holds the slot,
 * {@link dev.pgcdc.coordination.failover.FailoverController} keeps an instance passive until the slot
 * is free and it wins the race to stream from it.
 */
package dev.pgcdc.coordination.failover;
