/** The runnable pgcdc service: {@link dev.pgcdc.app.Main} and the bootstrap that wires the adapters. */
package dev.pgcdc.app;
