package org.crmbulk.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.crmbulk.contract.events.EventTypes;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * asyncapi.yaml documents exactly the event types the database's triggers write (V17, V18, V20), no more and no fewer,
 * and they are the types webhook subscriptions may choose ({@link EventTypes}).
 */
class EventCatalogueTest {

    @Test
    void every_event_type_the_triggers_write_is_documented_and_every_documented_one_is_written() throws Exception {
        StringBuilder all = new StringBuilder();
        for (String migration : List.of("V17__events.sql", "V18__delivery_outcome_events.sql", "V20__webhooks.sql")) {
            try (InputStream in = getClass().getResourceAsStream("/db/migration/" + migration)) {
                all.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        String sql = all.toString();
        Set<String> written = new TreeSet<>();
        Matcher literal = Pattern.compile("'(org\\.crmbulk\\.[a-z.-]+\\.v1)'").matcher(sql);
        while (literal.find()) {
            written.add(literal.group(1));
        }
        Matcher consent = Pattern.compile("THEN '([a-z]+\\.[a-z-]+)'").matcher(sql); // 'org.crmbulk.' || kind || '.v1'
        while (consent.find()) {
            written.add("org.crmbulk." + consent.group(1) + ".v1");
        }
        if (sql.contains("'org.crmbulk.delivery.' || lower(NEW.status) || '.v1'")) { // the trigger's WHEN: SENT, FAILED
            written.add("org.crmbulk.delivery.sent.v1");
            written.add("org.crmbulk.delivery.failed.v1");
        }

        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(Path.of("..", "asyncapi.yaml").toFile());
        Set<String> documented = new TreeSet<>();
        doc.path("components").path("messages").forEach(m -> documented.add(m.path("name").asText()));

        assertThat(written).hasSizeGreaterThanOrEqualTo(10);
        assertThat(documented).isEqualTo(written);
        assertThat(new TreeSet<>(EventTypes.ALL)).isEqualTo(written);
        assertThat(doc.path("channels").path("events").path("messages").size()).isEqualTo(documented.size());
    }
}
