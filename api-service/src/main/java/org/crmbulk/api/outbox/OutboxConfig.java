package org.crmbulk.api.outbox;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "crm.outbox")
public interface OutboxConfig {

    /** Kafka topic of {@link org.crmbulk.contract.SendJobs#CHANNEL}. */
    @WithDefault("crm.mail.send-jobs")
    String sendJobsTopic();

    /** Compacted Kafka topic of codebook changes ({@link org.crmbulk.contract.CodebookChanges}). */
    @WithDefault("crm.codebooks")
    String codebooksTopic();

    /** Kafka topic of consent changes (opt-outs, suppressions), keyed by contact: one contact's changes keep their order. */
    @WithDefault(org.crmbulk.contract.consent.ConsentEvents.DEFAULT_TOPIC)
    String consentTopic();

    /** Kafka topic of the CloudEvents (every state change an ERP needs; see asyncapi.yaml), keyed by launch or contact. */
    @WithDefault("crm.events")
    String eventsTopic();

    /** Partitions of the events topic when api-service creates it (a deployment's own topic management keeps its own). */
    @WithDefault("6")
    int eventsPartitions();

    /** Whether every delivery's outcome (sent, failed) is an event too: one per recipient, on the send path. */
    @WithDefault("true")
    boolean eventsDeliveryOutcomes();

    /** How long the events topic keeps events when api-service creates it. */
    @WithDefault("7d")
    Duration eventsRetention();

    /** How often the relay looks for unpublished messages besides being woken after each commit. */
    @WithDefault("1s")
    Duration pollInterval();

    /** Messages published per transaction. */
    @WithDefault("200")
    int batchSize();

    /** How long a batch waits for the broker's acknowledgement before it is retried later. */
    @WithDefault("10s")
    Duration publishTimeout();
}
