/** The port output records go to ({@link dev.pgcdc.api.sink.Sink}) and its ServiceLoader factory. */
package dev.pgcdc.api.sink;
