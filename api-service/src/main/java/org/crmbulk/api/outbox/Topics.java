package org.crmbulk.api.outbox;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The codebook topic must be compacted (the latest value per key, tombstones for deletions), which
 * broker auto-creation would not give it, and the events topic needs its partitions and retention:
 * api-service creates both so at start when they are missing.
 * Deployments that manage topics themselves (Strimzi) have it already; a broker that is away at
 * start costs five seconds and a warning.
 */
@ApplicationScoped
public class Topics {

    private static final Logger LOG = Logger.getLogger(Topics.class);

    @Inject
    OutboxConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    // Before the outbox relay publishes anything, so auto-creation never makes it a plain topic first.
    void onStart(@Observes @jakarta.annotation.Priority(1) StartupEvent event) {
        ensure(List.of(new NewTopic(config.codebooksTopic(), 1, (short) -1)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(config.eventsTopic(), config.eventsPartitions(), (short) -1)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(config.eventsRetention().toMillis())))));
    }

    /** Creates the topics that are missing, in one request: a broker that is away costs one wait, not one per topic. */
    void ensure(List<NewTopic> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            Map<String, KafkaFuture<Void>> created = admin.createTopics(topics).values();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (NewTopic topic : topics) {
                try {
                    created.get(topic.name()).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    LOG.infof("created the topic %s (%s)", topic.name(), topic.configs());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        LOG.warnf("could not create the topic %s: %s", topic.name(), e.getCause().getMessage());
                    }
                } catch (TimeoutException e) {
                    LOG.warnf("could not create the topic %s: no answer from Kafka within 5 s", topic.name());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("could not create the topics: %s", e.getMessage());
        }
    }
}
