/**
 * Ports for running several instances together: slot liveness (active/passive failover) and snapshot chunk claims.
 * <p>Stable API: plugins and embedders may rely on it; changes follow semantic versioning.
 */
package dev.pgcdc.api.coordination;
