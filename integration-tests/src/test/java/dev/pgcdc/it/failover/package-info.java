/** Active/passive failover of several service instances on one slot, as child processes. */
package dev.pgcdc.it.failover;
