/** The service's lifecycle: start order, waiting, graceful stop on SIGTERM with a bounded drain. */
package dev.pgcdc.app.lifecycle;
