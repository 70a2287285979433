package dev.pgcdc.testkit.kafka;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FinalizedVersionRange;

/**
 * What a broker the test kit did not start says about its version: Kafka has no request for the
 * software version, so this is the finalized {@code metadata.version} feature level.
 */
final class BrokerFeatures {
    private BrokerFeatures() {
    }

    static String metadataVersion(KafkaCluster cluster) {
        try (Admin admin = cluster.admin()) {
            FinalizedVersionRange range = admin.describeFeatures().featureMetadata().get(10, TimeUnit.SECONDS)
                    .finalizedFeatures().get("metadata.version");
            return range == null ? "metadata.version unknown" : "metadata.version level " + range.maxVersionLevel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "version unknown";
        } catch (Exception e) {
            return "version unknown: " + e.getMessage();
        }
    }
}
