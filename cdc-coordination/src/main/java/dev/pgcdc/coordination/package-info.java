/**
 * PostgreSQL-backed coordination of several instances, implementing the ports of
 * {@link dev.pgcdc.api.coordination}: the snapshot's jobs and chunk claims in tables of a schema of
 * their own ({@code snapshot}; docs/operations.md, "Initial snapshot") and slot liveness with the
 * active/passive controller ({@code failover}; docs/operations.md, "Running several instances").
 */
package dev.pgcdc.coordination;
