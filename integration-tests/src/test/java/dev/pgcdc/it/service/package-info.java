/** Test support: the packaged service run as a child process, its configuration files, and what it writes to Kafka. */
package dev.pgcdc.it.service;
