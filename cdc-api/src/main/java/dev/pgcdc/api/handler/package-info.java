/** The user extension point that maps change events to output records, and the records themselves. */
package dev.pgcdc.api.handler;
