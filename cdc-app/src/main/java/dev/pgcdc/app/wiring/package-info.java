/**
 * Guice wiring: one module per adapter, composed by {@link dev.pgcdc.app.wiring.ServiceBootstrap}
 * from the validated configuration. Guice appears in this package only.
 */
package dev.pgcdc.app.wiring;
