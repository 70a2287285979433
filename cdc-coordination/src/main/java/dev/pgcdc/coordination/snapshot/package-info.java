/** The PostgreSQL-backed record of snapshot jobs and chunk claims, shared by every instance of one configuration. */
package dev.pgcdc.coordination.snapshot;
