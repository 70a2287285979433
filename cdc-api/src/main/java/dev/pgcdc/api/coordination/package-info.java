/** Ports for running several instances together: slot liveness (active/passive failover) and snapshot chunk claims. */
package dev.pgcdc.api.coordination;
