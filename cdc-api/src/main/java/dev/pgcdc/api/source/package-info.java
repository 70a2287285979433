/** The port a stream of change events comes from: {@link dev.pgcdc.api.source.ChangeSource}. */
package dev.pgcdc.api.source;
