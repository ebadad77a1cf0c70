package org.crmbulk.contract.events;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;

/**
 * An event of the event log (written by the database's triggers, see V17) as a CloudEvent 1.0 in structured JSON
 * mode, as the Kafka binding carries it. Its ID is the log's, so a republished event keeps it: consumers deduplicate on it.
 */
public final class CloudEvents {

    /** The CloudEvents Kafka binding's content type of a structured-mode record. */
    public static final String CONTENT_TYPE = JsonFormat.CONTENT_TYPE;
    public static final URI SOURCE = URI.create("/crm-bulk-activities");
    private static final EventFormat FORMAT = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    private CloudEvents() {
    }

    public static String id(long eventId) {
        return "crm-event-" + eventId;
    }

    public static CloudEvent of(long eventId, String type, String subject, OffsetDateTime time, String data) {
        return CloudEventBuilder.v1().withId(id(eventId)).withSource(SOURCE).withType(type).withSubject(subject).withTime(time)
                .withDataContentType("application/json").withData(data.getBytes(StandardCharsets.UTF_8)).build();
    }

    public static String json(CloudEvent event) {
        return new String(FORMAT.serialize(event), StandardCharsets.UTF_8);
    }
}
