/** What plugins (handlers, sinks) receive from the host: their own configuration section as plain values. */
package dev.pgcdc.api.plugin;
