/**
 * PostgreSQL-backed coordination (planned; docs/operations.md, "Failover"): slot liveness for active/passive failover
 * and snapshot chunk claims. Implemented by a later issue; the ports it implements are in
 * {@link dev.pgcdc.api.coordination}.
 */
package dev.pgcdc.coordination;
