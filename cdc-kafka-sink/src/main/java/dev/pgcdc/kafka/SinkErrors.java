package dev.pgcdc.kafka;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The messages of the sink's permanent failures: what failed, where (topic, partition, table, position) and what to do. */
final class SinkErrors {

    static final String NOTHING_AFTER = "; nothing after the last durable record is acknowledged, a restart resumes from there";

    private SinkErrors() {
    }

    /** {@code INSERT on public.users at 0/16B3748#0}. */
    static String describe(ChangeEvent event) {
        return event.operation() + (event.table() == null ? "" : " on " + event.table()) + " at position " + event.position();
    }

    /** A record of {@code event} that Kafka did not take. */
    static SinkException recordFailed(ChangeEvent event, String topic, int partition, Throwable error) {
        return new SinkException("Kafka did not take a record of " + describe(event) + " for topic " + topic
                + (partition >= 0 ? " partition " + partition : "") + ": " + error + hint(error) + NOTHING_AFTER, error);
    }

    /** The sink failed before; every later write fails with this. */
    static SinkException failedBefore(ChangeEvent event, Throwable first) {
        return new SinkException("the Kafka sink stopped on an earlier failure, so " + describe(event) + " is not written: "
                + first.getMessage(), first);
    }

    /** A write callback (the pipeline's acknowledgement) threw: the sink stops, as nothing after it may be acknowledged. */
    static SinkException callbackFailed(Throwable error) {
        return new SinkException("a write callback of the Kafka sink threw " + error + "; the sink stops so that nothing after that"
                + " write is acknowledged, a restart resumes from the last acknowledged position", error);
    }

    static String hint(Throwable error) {
        if (error instanceof RecordTooLargeException) {
            return "; the record is larger than the producer's max.request.size or the topic's max.message.bytes:"
                    + " raise them (pgcdc.kafka.producer { \"max.request.size\" = ... }) or make the handler write smaller records";
        }
        if (error instanceof TransactionalIdAuthorizationException) {
            return "; the user may not use its transactional.id: grant WRITE on the transactional id";
        }
        if (error instanceof AuthorizationException) {
            return "; the user may not write to the topic: grant it WRITE (and DESCRIBE)";
        }
        if (error instanceof AuthenticationException) {
            return "; check pgcdc.kafka.sasl and pgcdc.kafka.tls";
        }
        // produce requests name topics by id (Kafka 4): a deleted topic is an unknown topic id
        if (error instanceof UnknownTopicOrPartitionException || error instanceof UnknownTopicIdException) {
            return "; the topic does not exist (any more)";
        }
        if (error instanceof ProducerFencedException || error instanceof InvalidProducerEpochException) {
            return "; another pgcdc instance with the same transactional.id started and fenced this one";
        }
        if (error instanceof TimeoutException) {
            return "; the brokers did not confirm in time (pgcdc.kafka.delivery-timeout): check that they are up and reachable";
        }
        return "";
    }
}
