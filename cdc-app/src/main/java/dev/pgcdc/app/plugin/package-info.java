/** Discovery of handler and sink providers with {@link java.util.ServiceLoader}, and selection by name. */
package dev.pgcdc.app.plugin;
