/** The {@code debezium} envelopes of the JSON handler: Debezium's PostgreSQL connector format, Kafka Connect schemas and Debezium's value encodings. */
package dev.pgcdc.json.debezium;
