/** Logging: SLF4J over Logback, configured in code from {@code pgcdc.logging}, text or JSON lines. */
package dev.pgcdc.app.logging;
