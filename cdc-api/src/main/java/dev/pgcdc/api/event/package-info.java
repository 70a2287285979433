/** The change events that flow from sources through handlers to sinks, and the rows they carry. */
package dev.pgcdc.api.event;
