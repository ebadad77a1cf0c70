package org.crmbulk.api.outbox;

import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

@ApplicationScoped
public class KafkaProducerFactory {

    @Produces
    @ApplicationScoped
    Producer<String, String> producer(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            OutboxConfig config) {
        int timeoutMs = (int) config.publishTimeout().toMillis();
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // Fail fast while the broker is away: the rows stay in the outbox and the next poll retries.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs,
                ProducerConfig.CLIENT_ID_CONFIG, "crm-api-outbox"),
                new StringSerializer(), new StringSerializer());
    }

    void close(@Disposes Producer<String, String> producer) {
        producer.close();
    }
}
