/**
 * PostgreSQL's own failover under the packaged service: a primary and a streaming standby started by
 * the test kit, the service decoding from the standby, and the service riding through the primary's
 * kill -9 and the standby's promotion on a failover slot.
 */
package dev.pgcdc.it.pgfailover;
