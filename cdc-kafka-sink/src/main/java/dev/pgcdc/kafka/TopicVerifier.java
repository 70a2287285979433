package dev.pgcdc.kafka;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.TableId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes sure the topics the sink writes to exist before any record goes to them: the mapped topics
 * at start, a topic a handler names itself (e.g. a dead-letter topic) on first use. A missing topic
 * is created when {@code allow-auto-topic-creation} is on (with {@code topic-partitions} and
 * {@code topic-replication-factor}), and is otherwise an error naming the topic and its table.
 * Thread-safe: the known topics are a concurrent set; admin calls block the caller.
 */
final class TopicVerifier implements TopicCheck {

    private static final long LEADER_RETRY_MILLIS = 50;

    private final Admin admin;
    private final KafkaSinkSettings settings;
    private final Duration timeout;
    private final Set<String> existing = ConcurrentHashMap.newKeySet();

    TopicVerifier(Admin admin, KafkaSinkSettings settings) {
        this.admin = admin;
        this.settings = settings;
        this.timeout = settings.requestTimeout().plusSeconds(5);
    }

    /** Checks (or creates) every mapped topic; one exception lists every topic that is missing. */
    void verifyMappedTopics() {
        Map<String, List<TableId>> tablesByTopic = new LinkedHashMap<>();
        settings.tableTopicMapping().forEach((table, topic) -> tablesByTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(table));
        List<String> missing = missing(tablesByTopic.keySet());
        if (missing.isEmpty()) {
            awaitPartitionLeaders(tablesByTopic.keySet());
            return;
        }
        if (settings.allowAutoTopicCreation()) {
            create(missing, Map.of());
            awaitPartitionLeaders(tablesByTopic.keySet());
            return;
        }
        List<String> problems = new ArrayList<>();
        for (String topic : missing) {
            problems.add("topic \"" + topic + "\" (mapped from table " + joinTables(tablesByTopic.get(topic))
                    + " in pgcdc.kafka.table-topic-mapping) does not exist");
        }
        throw new SinkException(String.join("; ", problems) + " on " + settings.bootstrapServers()
                + ": create " + (missing.size() == 1 ? "it" : "them") + " or set pgcdc.kafka.allow-auto-topic-creation = true");
    }

    /**
     * The smallest {@code max.message.bytes} of the mapped topics: the largest batch the broker takes
     * for them. Empty when the configs cannot be read (e.g. no DESCRIBE_CONFIGS permission).
     */
    OptionalInt smallestMaxMessageBytes() {
        List<ConfigResource> resources = new ArrayList<>();
        for (String topic : new java.util.LinkedHashSet<>(settings.tableTopicMapping().values())) {
            resources.add(new ConfigResource(ConfigResource.Type.TOPIC, topic));
        }
        try {
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            int smallest = Integer.MAX_VALUE;
            for (Config config : configs.values()) {
                ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (entry != null && entry.value() != null) {
                    smallest = Math.min(smallest, Integer.parseInt(entry.value()));
                }
            }
            return smallest == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(smallest);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | NumberFormatException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException("interrupted while reading topic configs", e);
        }
    }

    /** Checks the offsets topic of exactly-once mode and creates it (compacted, one partition) if missing. */
    void ensureOffsetsTopic() {
        String topic = settings.offsetsTopic();
        if (!missing(List.of(topic)).isEmpty()) {
            create(List.of(topic), Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT), 1);
        }
        awaitPartitionLeaders(List.of(topic));
    }

    @Override
    public void requireTopic(String topic, String usedFor) {
        if (existing.contains(topic)) {
            return;
        }
        if (missing(List.of(topic)).isEmpty()) {
            return;
        }
        if (!settings.allowAutoTopicCreation()) {
            throw new SinkException("topic \"" + topic + "\" (" + usedFor + ") does not exist on " + settings.bootstrapServers()
                    + ": create it or set pgcdc.kafka.allow-auto-topic-creation = true" + SinkErrors.NOTHING_AFTER);
        }
        create(List.of(topic), Map.of());
        awaitPartitionLeaders(List.of(topic));
    }

    /**
     * Waits until the leader of every partition of {@code topics} answers for it (a list-offsets
     * request, which the admin client retries while the leader is not ready). A producer that writes
     * to a partition its broker has not taken over yet can lose the race in KAFKA-15591: the first
     * request fails with NOT_LEADER_OR_FOLLOWER, a later one is appended, and the first then fails
     * with OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout. New topics are the usual case.
     */
    private void awaitPartitionLeaders(java.util.Collection<String> topics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                try {
                    Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    Map<TopicPartition, OffsetSpec> partitions = new LinkedHashMap<>();
                    for (TopicDescription description : descriptions.values()) {
                        for (TopicPartitionInfo partition : description.partitions()) {
                            partitions.put(new TopicPartition(description.name(), partition.partition()), OffsetSpec.latest());
                        }
                    }
                    admin.listOffsets(partitions).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (ExecutionException e) {
                    // a new topic: its partitions are not hosted or led yet for a moment
                    if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                        throw adminFailure("reach the leaders of topics " + topics, e.getCause());
                    }
                    Thread.sleep(LEADER_RETRY_MILLIS);
                }
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw adminFailure("reach the leaders of topics " + topics, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException("interrupted while waiting for the leaders of topics " + topics, e);
        }
    }

    private List<String> missing(Iterable<String> topics) {
        List<String> names = new ArrayList<>();
        topics.forEach(names::add);
        Map<String, KafkaFuture<TopicDescription>> futures =
                admin.describeTopics(names).topicNameValues();
        List<String> missing = new ArrayList<>();
        for (String topic : names) {
            try {
                futures.get(topic).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                existing.add(topic);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing.add(topic);
                } else {
                    throw adminFailure("describe topic \"" + topic + "\"", e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw adminFailure("describe topic \"" + topic + "\"", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SinkException("interrupted while checking topic \"" + topic + "\"", e);
            }
        }
        return missing;
    }

    private void create(List<String> topics, Map<String, String> configs) {
        create(topics, configs, settings.topicPartitions());
    }

    private void create(List<String> topics, Map<String, String> configs, int partitions) {
        List<NewTopic> newTopics = new ArrayList<>();
        Optional<Integer> partitionCount = partitions == -1 ? Optional.empty() : Optional.of(partitions);
        Optional<Short> replication = settings.topicReplicationFactor() == -1
                ? Optional.empty() : Optional.of((short) settings.topicReplicationFactor());
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitionCount, replication).configs(configs));
        }
        Map<String, KafkaFuture<Void>> futures = admin.createTopics(newTopics).values();
        for (String topic : topics) {
            try {
                futures.get(topic).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                existing.add(topic);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    existing.add(topic); // created concurrently by someone else: fine
                } else {
                    throw adminFailure("create topic \"" + topic + "\"", e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw adminFailure("create topic \"" + topic + "\"", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SinkException("interrupted while creating topic \"" + topic + "\"", e);
            }
        }
    }

    private SinkException adminFailure(String what, Throwable cause) {
        String hint;
        if (cause instanceof AuthenticationException) {
            hint = "authentication failed (" + cause.getMessage() + "); check pgcdc.kafka.sasl and pgcdc.kafka.tls";
        } else if (cause instanceof AuthorizationException) {
            hint = "not authorized (" + cause.getMessage() + "); grant the user DESCRIBE/CREATE on the topic";
        } else if (cause instanceof org.apache.kafka.common.errors.TimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
            // the admin client gives up after request-timeout; this.timeout only bounds the wait for it
            long millis = settings.requestTimeout().toMillis();
            hint = "no answer within " + (millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms") + " (pgcdc.kafka.request-timeout);"
                    + " check pgcdc.kafka.bootstrap-servers, that the brokers are up, and that pgcdc.kafka.tls / sasl match the listener";
        } else {
            hint = String.valueOf(cause);
        }
        return new SinkException("cannot " + what + " on Kafka at " + settings.bootstrapServers() + ": " + hint, cause);
    }

    private static String joinTables(List<TableId> tables) {
        List<String> names = new ArrayList<>();
        for (TableId table : tables) {
            names.add(table.toString());
        }
        return String.join(", ", names);
    }
}
