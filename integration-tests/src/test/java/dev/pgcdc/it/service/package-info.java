/**
 * Test support: the packaged service run as a child process, its configuration files, and what it writes to Kafka;
 * {@link dev.pgcdc.it.service.ServiceFixture} gives each test its own table, topic, publication, slot and directory and
 * cleans them up after it.
 */
package dev.pgcdc.it.service;
