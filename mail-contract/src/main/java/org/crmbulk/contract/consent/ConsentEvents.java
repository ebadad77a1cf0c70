package org.crmbulk.contract.consent;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The consent events on the consent topic (opt-outs, re-consents, suppression entries added and removed, erasures),
 * written by api-service and, for the suppressions returned mail makes, by mail-worker. Keyed by contact, so one
 * contact's changes keep their order; they carry IDs, never the address: a consumer that needs it asks the API.
 */
public final class ConsentEvents {

    public static final String DEFAULT_TOPIC = "crm.consent";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConsentEvents() {
    }

    public static String key(Long contactId) {
        return contactId == null ? "unknown-contact" : "contact-" + contactId;
    }

    public static String json(String type, Long contactId, Long listId, Long launchId, Long deliveryId, String reason, String source,
            Instant at) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type);
        event.put("contactId", contactId);
        event.put("listId", listId);
        event.put("launchId", launchId);
        event.put("deliveryId", deliveryId);
        event.put("reason", reason);
        event.put("source", source);
        event.put("at", at.toString());
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and numbers is always JSON", e);
        }
    }
}
