package org.crmbulk.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The send-jobs channel: its name, its default topic and the JSON form of {@link SendJobV1}. */
public final class SendJobs {

    /** Reactive Messaging channel name; the topic is mapped in each service's configuration. */
    public static final String CHANNEL = "send-jobs";

    /** Default topic name, used where configuration does not say otherwise. */
    public static final String DEFAULT_TOPIC = "crm.mail.send-jobs";

    // Unknown fields are tolerated so that a newer producer does not break an older consumer.
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private SendJobs() {
    }

    public static String toJson(SendJobV1 job) {
        try {
            return JSON.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("SendJobV1 is always serializable", e);
        }
    }

    /** @throws IllegalArgumentException when the payload is not a valid SendJobV1 */
    public static SendJobV1 fromJson(String json) {
        try {
            return JSON.readValue(json, SendJobV1.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a SendJobV1: " + e.getMessage(), e);
        }
    }
}
