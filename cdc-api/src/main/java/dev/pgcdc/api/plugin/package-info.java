/**
 * What plugins (handlers, sinks) receive from the host: their own configuration section as plain
 * values, read through declared settings ({@link dev.pgcdc.api.config}).
 */
package dev.pgcdc.api.plugin;
