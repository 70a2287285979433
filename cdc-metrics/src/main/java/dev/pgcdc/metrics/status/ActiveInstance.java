package dev.pgcdc.metrics.status;

/**
 * The walsender streaming from the slot while this instance is passive, as PostgreSQL shows it.
 *
 * @param pid             the walsender's process id
 * @param applicationName its client's {@code application_name} ({@code pgcdc <instance id>} for a pgcdc instance), null when unknown
 * @param clientAddress   its client's address, null when unknown
 */
public record ActiveInstance(long pid, String applicationName, String clientAddress) {
}
