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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the topics the sink writes to exist before any record goes to them: the mapped topics
 * and the pattern's topics of the captured tables at start; a topic a handler names itself (e.g. a
 * dead-letter topic) and the pattern's topic of a table not known at start on first use. A missing topic
 * is created when {@code allow-auto-topic-creation} is on (with {@code topic-partitions} and
 * {@code topic-replication-factor}), and is otherwise an error naming the topic and its table.
 * Thread-safe: the known topics are a concurrent set; admin calls block the caller.
 */
final class TopicVerifier implements TopicCheck {

    /** Partitions of an offsets topic pgcdc creates: instances with other transactional ids mostly write to other partitions. */
    static final int OFFSETS_PARTITIONS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(TopicVerifier.class);
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

    /**
     * Checks (or creates) every topic of {@code tablesByTopic} (the mapped ones and the pattern's of the
     * captured tables, {@link TopicNames#tablesByTopic}); one exception lists every topic that is missing.
     */
    void verifyTableTopics(Map<String, List<TableId>> tablesByTopic) {
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
            List<TableId> tables = tablesByTopic.get(topic);
            boolean mapped = tables.stream().anyMatch(table -> settings.tableTopicMapping().containsKey(table));
            problems.add("topic \"" + topic + "\" (" + (mapped ? "mapped from" : "named by pgcdc.kafka.topic-pattern for") + " table "
                    + joinTables(tables) + (mapped ? " in pgcdc.kafka.table-topic-mapping" : "") + ") does not exist");
        }
        throw new SinkException(String.join("; ", problems) + " on " + settings.bootstrapServers()
                + ": create " + (missing.size() == 1 ? "it" : "them") + " or set pgcdc.kafka.allow-auto-topic-creation = true");
    }

    /**
     * The smallest {@code max.message.bytes} of {@code topics}: the largest batch the broker takes
     * for them. Empty when the configs cannot be read (e.g. no DESCRIBE_CONFIGS permission).
     */
    OptionalInt smallestMaxMessageBytes(java.util.Collection<String> topics) {
        List<ConfigResource> resources = new ArrayList<>();
        for (String topic : topics) {
            resources.add(new ConfigResource(ConfigResource.Type.TOPIC, topic));
        }
        if (resources.isEmpty()) {
            return OptionalInt.empty();
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

    /**
     * Checks the offsets topic of exactly-once mode, or creates it if missing: compacted,
     * {@value #OFFSETS_PARTITIONS} partitions, {@code topic-replication-factor} replicas (the broker's
     * {@code default.replication.factor} when -1) and {@code min.insync.replicas} from
     * {@code topic-min-insync-replicas} (when -1: replicas - 1, at least 1), so a committed position
     * survives a broker failure as the data does. An existing topic that is not compacted is refused.
     *
     * @return the topic's partition count
     */
    int ensureOffsetsTopic() {
        String topic = settings.offsetsTopic();
        if (missing(List.of(topic)).isEmpty()) {
            checkCompacted(topic);
        } else {
            createOffsetsTopic(topic);
        }
        return awaitPartitionLeaders(List.of(topic)).get(topic).partitions().size();
    }

    private void createOffsetsTopic(String topic) {
        int replicas = settings.topicReplicationFactor() != -1 ? settings.topicReplicationFactor() : defaultReplicationFactor();
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        int minInsync = settings.topicMinInsyncReplicas() != -1 ? settings.topicMinInsyncReplicas() : Math.max(1, replicas - 1);
        if (replicas != -1) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(minInsync));
        } else {
            LOG.warn("cannot read the brokers' default.replication.factor; the offsets topic {} is created with the brokers' defaults for"
                    + " replicas and min.insync.replicas: set pgcdc.kafka.topic-replication-factor to choose them", topic);
        }
        createTopics(List.of(topic), configs, OFFSETS_PARTITIONS, replicas);
        LOG.info("created the offsets topic {}: compacted, {} partitions, replication factor {}, min.insync.replicas {}", topic,
                OFFSETS_PARTITIONS, replicas == -1 ? "(broker default)" : replicas, replicas == -1 ? "(broker default)" : minInsync);
    }

    /** The brokers' {@code default.replication.factor}, read from one broker; -1 when it cannot be read. */
    private int defaultReplicationFactor() {
        try {
            var nodes = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (nodes.isEmpty()) {
                return -1;
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, nodes.iterator().next().idString());
            Config config = admin.describeConfigs(List.of(broker)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(broker);
            ConfigEntry entry = config == null ? null : config.get("default.replication.factor");
            return entry == null || entry.value() == null ? -1 : Integer.parseInt(entry.value());
        } catch (ExecutionException | java.util.concurrent.TimeoutException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException("interrupted while reading the brokers' configuration", e);
        }
    }

    /**
     * Refuses an offsets topic without {@code cleanup.policy=compact}: under {@code delete} a position
     * older than {@code retention.ms} vanishes (an idle connector then resends what was committed) and
     * the topic, read whole at every start, grows without end.
     */
    private void checkCompacted(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        String policy;
        try {
            Config config = admin.describeConfigs(List.of(resource)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            ConfigEntry entry = config == null ? null : config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            policy = entry == null || entry.value() == null ? "" : entry.value();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("cannot read the configuration of the offsets topic {} to check that it is compacted: {}", topic,
                    e instanceof ExecutionException ? e.getCause() : e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException("interrupted while checking topic \"" + topic + "\"", e);
        }
        List<String> policies = List.of(policy.replace(" ", "").split(","));
        if (!policies.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new SinkException("the offsets topic \"" + topic + "\" (pgcdc.kafka.offsets-topic) has cleanup.policy=" + policy
                    + ", not compact: a stored position would be deleted after retention.ms and committed events sent again, and the"
                    + " topic, read at every start, would grow without end. Make it compacted: kafka-configs.sh --bootstrap-server "
                    + settings.bootstrapServers() + " --alter --entity-type topics --entity-name " + topic
                    + " --add-config cleanup.policy=compact; or set pgcdc.kafka.offsets-topic to a topic pgcdc may create");
        }
        if (policies.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
            LOG.warn("the offsets topic {} has cleanup.policy={}: a position older than its retention.ms is deleted, and committed events"
                    + " are sent again after a restart; use cleanup.policy=compact alone", topic, policy);
        }
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
     * Returns the topics' descriptions.
     */
    private Map<String, TopicDescription> awaitPartitionLeaders(java.util.Collection<String> topics) {
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
                    return descriptions;
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
            if (answered(futures.get(topic), "describe topic \"" + topic + "\"", UnknownTopicOrPartitionException.class)) {
                existing.add(topic);
            } else {
                missing.add(topic);
            }
        }
        return missing;
    }

    private void create(List<String> topics, Map<String, String> configs) {
        Map<String, String> withMinInsync = new LinkedHashMap<>(configs);
        if (settings.topicMinInsyncReplicas() != -1) {
            withMinInsync.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(settings.topicMinInsyncReplicas()));
        }
        createTopics(topics, withMinInsync, settings.topicPartitions(), settings.topicReplicationFactor());
    }

    private void createTopics(List<String> topics, Map<String, String> configs, int partitions, int replicas) {
        List<NewTopic> newTopics = new ArrayList<>();
        Optional<Integer> partitionCount = partitions == -1 ? Optional.empty() : Optional.of(partitions);
        Optional<Short> replication = replicas == -1 ? Optional.empty() : Optional.of((short) replicas);
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitionCount, replication).configs(configs));
        }
        Map<String, KafkaFuture<Void>> futures = admin.createTopics(newTopics).values();
        for (String topic : topics) {
            // a topic that exists already was created concurrently by someone else: fine
            answered(futures.get(topic), "create topic \"" + topic + "\"", TopicExistsException.class);
            existing.add(topic);
        }
    }

    /**
     * Waits, at most {@code timeout}, for the admin client's answer to one request about a topic.
     *
     * @param what    the request, for messages ({@code describe topic "orders"})
     * @param refusal the failure that is an answer (the topic is unknown, or exists already)
     * @return true when the request succeeded, false when it failed with {@code refusal}
     * @throws SinkException any other failure, no answer in time, or interrupted
     */
    private boolean answered(KafkaFuture<?> future, String what, Class<? extends Throwable> refusal) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (refusal.isInstance(e.getCause())) {
                return false;
            }
            throw adminFailure(what, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw adminFailure(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException("interrupted while waiting to " + what, e);
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
