/** Hand-written change sources for tests of sinks, handlers and pipelines: {@link dev.pgcdc.testkit.source.ScriptedSource}. */
package dev.pgcdc.testkit.source;
