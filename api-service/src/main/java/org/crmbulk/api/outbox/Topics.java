package org.crmbulk.api.outbox;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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
        ensure(new NewTopic(config.codebooksTopic(), 1, (short) -1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        ensure(new NewTopic(config.eventsTopic(), config.eventsPartitions(), (short) -1)
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(config.eventsRetention().toMillis()))));
    }

    void ensure(NewTopic topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            admin.createTopics(List.of(topic)).all().get(5, TimeUnit.SECONDS);
            LOG.infof("created the topic %s (%s)", topic.name(), topic.configs());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf("could not create the topic %s: %s", topic.name(), e.getCause().getMessage());
            }
        } catch (Exception e) {
            LOG.warnf("could not create the topic %s: %s", topic.name(), e.getMessage());
        }
    }
}
