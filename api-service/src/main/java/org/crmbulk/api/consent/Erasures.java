package org.crmbulk.api.consent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.crmbulk.api.contact.ContactService;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.contract.consent.ErasureKey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

/**
 * Erasure of a person (GDPR Art. 17), the one path that rewrites history: every contact with the address is deleted,
 * the rows that were about them (deliveries, activity parties, the activities and mail tasks those belong to, the
 * consent log, test sends) are pseudonymised in place, so launch counters stay true, and the address is then replaced
 * in every text column of every table. All that remains is a keyed hash of it in the suppression list, so the person
 * is never mailed again, and an audit row that names neither the address nor the person.
 */
@ApplicationScoped
public class Erasures {

    private static final String ERASED_TEXT = "[erased]";
    private static final String LINKED_DELIVERY = "(contact_id = ANY(CAST(:ids AS bigint[])) OR lower(email) = :address)";

    @Inject
    EntityManager em;

    @Inject
    ContactService contacts;

    @Inject
    Suppressions suppressions;

    @Inject
    ErasureKey key;

    @Inject
    ObjectMapper json;

    /** Erases the person with this contact's address; 404 when the contact does not exist. */
    @Transactional
    public ErasureView eraseContact(long contactId, String reason, String actor) {
        @SuppressWarnings("unchecked")
        List<String> found = em.createNativeQuery("SELECT email FROM contact WHERE id = ?1").setParameter(1, contactId).getResultList();
        if (found.isEmpty()) {
            throw ProblemException.notFound("contact", contactId, "contactId");
        }
        return erase(found.get(0), reason, actor);
    }

    /** Erases the person with this address, whether or not a contact still has it (a plain DELETE keeps the history). */
    @Transactional
    public ErasureView eraseAddress(String email, String reason, String actor) {
        return erase(email, reason, actor);
    }

    private ErasureView erase(String email, String reason, String actor) {
        String address = email.toLowerCase(Locale.ROOT);
        @SuppressWarnings("unchecked")
        List<Tuple> people = em.createNativeQuery("""
                SELECT id, first_name, last_name FROM contact WHERE lower(email) = ?1 ORDER BY id FOR UPDATE""", Tuple.class)
                .setParameter(1, address).getResultList();
        Long[] ids = people.stream().map(t -> t.get("id", Number.class).longValue()).toArray(Long[]::new);
        // Locked first, so no worker claims them meanwhile; one being handed to the relay now would record its reply after us.
        Number sending = (Number) em.createNativeQuery("SELECT count(*) FILTER (WHERE status = 'SENDING') FROM (SELECT status FROM delivery "
                + "WHERE " + LINKED_DELIVERY + " FOR UPDATE) d").setParameter("ids", ids).setParameter("address", address).getSingleResult();
        if (sending.longValue() > 0) {
            throw new ProblemException(Response.Status.CONFLICT, "a message to this person is being sent right now; try again in a minute",
                    "email", "a message to it is being sent").withHeader("Retry-After", "60");
        }
        Set<String> names = new LinkedHashSet<>();
        people.forEach(t -> {
            names.add(t.get("first_name", String.class));
            names.add(t.get("last_name", String.class));
        });
        @SuppressWarnings("unchecked")
        List<String> displayNames = em.createNativeQuery("""
                SELECT DISTINCT display_name FROM delivery WHERE display_name IS NOT NULL AND %s
                UNION SELECT DISTINCT display_name FROM activity_party WHERE display_name IS NOT NULL
                    AND (contact_id = ANY(CAST(:ids AS bigint[])) OR lower(email) = :address)""".formatted(LINKED_DELIVERY))
                .setParameter("ids", ids).setParameter("address", address).getResultList();
        displayNames.forEach(n -> names.addAll(List.of(n.split("[\\s,]+"))));
        names.removeIf(n -> n == null || n.isBlank() || n.strip().length() < 2);

        long erasureId = ((Number) em.createNativeQuery("""
                INSERT INTO erasure (contact_id, reason, actor, rewritten) VALUES (CAST(?1 AS bigint), ?2, ?3, '{}') RETURNING id""")
                .setParameter(1, ids.length == 0 ? null : ids[0]).setParameter(2, reason).setParameter(3, actor).getSingleResult()).longValue();
        String placeholder = "erased-" + erasureId + "@" + ErasureKey.PLACEHOLDER_DOMAIN;
        String addressPattern = regex(List.of(address), false);
        String namePattern = names.isEmpty() ? null : regex(names, true);
        Map<String, Integer> rewritten = new LinkedHashMap<>();

        // The records about the person: the address becomes the placeholder and their names [erased].
        @SuppressWarnings("unchecked")
        List<Number> activities = em.createNativeQuery("""
                SELECT activity_id FROM delivery WHERE activity_id IS NOT NULL AND %s
                UNION SELECT activity_id FROM activity_party WHERE contact_id = ANY(CAST(:ids AS bigint[])) OR lower(email) = :address
                UNION SELECT id FROM activity WHERE contact_id = ANY(CAST(:ids AS bigint[]))""".formatted(LINKED_DELIVERY))
                .setParameter("ids", ids).setParameter("address", address).getResultList();
        Person person = new Person(ids, activities.stream().map(Number::longValue).toArray(Long[]::new), address, placeholder,
                addressPattern, namePattern);
        rewritten.put("delivery", update("""
                UPDATE delivery SET email = :placeholder, display_name = NULL, last_reply = %s WHERE %s""".formatted(scrub("last_reply", namePattern),
                LINKED_DELIVERY), person));
        rewritten.put("activity_party", update("""
                UPDATE activity_party SET email = CASE WHEN email IS NULL THEN NULL ELSE :placeholder END, display_name = NULL
                WHERE contact_id = ANY(CAST(:ids AS bigint[])) OR lower(email) = :address""", person));
        rewritten.put("activity", update("""
                UPDATE activity SET subject = %s, body = %s, body_html = %s WHERE id = ANY(CAST(:activities AS bigint[]))""".formatted(
                scrub("subject", namePattern), scrub("body", namePattern), scrub("body_html", namePattern)),
                person));
        rewritten.put("mail_job", update("""
                UPDATE mail_job SET subject = %s, text_body = %s, html_body = %s, label = %s WHERE activity_id = ANY(CAST(:activities AS bigint[]))"""
                .formatted(scrub("subject", namePattern), scrub("text_body", namePattern), scrub("html_body", namePattern),
                        scrub("label", namePattern)), person));
        rewritten.put("consent_event", update("""
                UPDATE consent_event SET email = NULL WHERE contact_id = ANY(CAST(:ids AS bigint[])) OR lower(email) = :address""",
                person));
        rewritten.put("test_send", update("""
                UPDATE test_send SET addresses = ARRAY(SELECT CASE WHEN lower(a) = :address THEN :placeholder ELSE a END FROM unnest(addresses) a)
                WHERE EXISTS (SELECT 1 FROM unnest(addresses) a WHERE lower(a) = :address)""", person));
        // Replayed answers that show the address are dropped rather than rewritten: a replay must not show a made-up record.
        rewritten.put("idempotency_key", update("""
                DELETE FROM idempotency_key WHERE position(:address IN lower(body)) > 0 OR position(:address IN lower(location)) > 0""",
                person));
        // Returned mail quotes the address in its raw bytes: the person's reports go (their outcome stays on the delivery).
        rewritten.put("inbound_report", update("""
                DELETE FROM inbound_report WHERE id IN (SELECT report_id FROM bounce WHERE lower(address) = :address)
                   OR position(:address IN lower(encode(raw, 'escape'))) > 0""", person));
        for (Long id : ids) {
            contacts.delete(id); // with its list memberships and the lists' member counts
        }
        rewritten.put("contact", ids.length);

        rewritten.put("suppression", suppressions.erase(address, key, erasureId, ids, actor));

        // Wherever else the address was written (a note, a template, a reply): replaced in every text column there is.
        sweep(address, placeholder, addressPattern).forEach((table, n) -> rewritten.merge(table, n, Integer::sum));
        rewritten.values().removeIf(n -> n == 0);
        try {
            em.createNativeQuery("UPDATE erasure SET rewritten = CAST(?2 AS jsonb) WHERE id = ?1")
                    .setParameter(1, erasureId).setParameter(2, json.writeValueAsString(rewritten)).executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of names and numbers is always JSON", e);
        }
        return find(erasureId).orElseThrow();
    }

    @Transactional
    public java.util.Optional<ErasureView> find(long id) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT id, contact_id, reason, actor, CAST(rewritten AS text) AS rewritten, created_at FROM erasure WHERE id = ?1""",
                Tuple.class).setParameter(1, id).getResultList();
        return rows.stream().findFirst().map(t -> {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Integer> counts = json.readValue(t.get("rewritten", String.class), LinkedHashMap.class);
                return new ErasureView(t.get("id", Number.class).longValue(),
                        t.get("contact_id") == null ? null : t.get("contact_id", Number.class).longValue(), t.get("reason", String.class),
                        t.get("actor", String.class), counts, org.crmbulk.api.common.Times.offset(t.get("created_at")));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the column holds what erase() wrote", e);
            }
        });
    }

    /**
     * Replaces the address in every text, text[] and jsonb column of every table, one statement per table; except the
     * organisation's own: users (staff, not contacts) and the sender addresses of campaigns and mail tasks, which a
     * contact who shares one (a shop's own mailbox on a list) must not take out of service.
     */
    private Map<String, Integer> sweep(String address, String placeholder, String addressPattern) {
        @SuppressWarnings("unchecked")
        List<Tuple> columns = em.createNativeQuery("""
                SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
                JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                  AND c.data_type IN ('text', 'character varying', 'jsonb', 'ARRAY')
                  AND (c.data_type <> 'ARRAY' OR c.udt_name = '_text') AND c.is_generated = 'NEVER'
                  AND c.table_name NOT IN ('flyway_schema_history', 'erasure', 'crm_user')
                  AND (c.table_name, c.column_name) NOT IN (('bulk_action_version', 'from_address'), ('bulk_action_version', 'reply_to'),
                                                            ('mail_job', 'from_address'))
                ORDER BY c.table_name, c.ordinal_position""", Tuple.class).getResultList();
        Map<String, List<Tuple>> byTable = columns.stream().collect(Collectors.groupingBy(t -> t.get("table_name", String.class),
                LinkedHashMap::new, Collectors.toList()));
        Map<String, Integer> counts = new LinkedHashMap<>();
        byTable.forEach((table, cols) -> {
            List<String> sets = new ArrayList<>();
            List<String> hits = new ArrayList<>();
            for (Tuple col : cols) {
                String c = '"' + col.get("column_name", String.class) + '"';
                String asText = switch (col.get("data_type", String.class)) {
                    case "jsonb" -> "CAST(" + c + " AS text)";
                    case "ARRAY" -> "array_to_string(" + c + ", ' ')";
                    default -> c;
                };
                String replaced = switch (col.get("data_type", String.class)) {
                    case "jsonb" -> "CAST(regexp_replace(CAST(" + c + " AS text), ?2, ?3, 'gi') AS jsonb)";
                    case "ARRAY" -> "ARRAY(SELECT regexp_replace(e, ?2, ?3, 'gi') FROM unnest(" + c + ") e)";
                    default -> "regexp_replace(" + c + ", ?2, ?3, 'gi')";
                };
                sets.add(c + " = CASE WHEN position(?1 IN lower(" + asText + ")) > 0 THEN " + replaced + " ELSE " + c + " END");
                hits.add("position(?1 IN lower(" + asText + ")) > 0");
            }
            int n = em.createNativeQuery("UPDATE \"" + table + "\" SET " + String.join(", ", sets) + " WHERE " + String.join(" OR ", hits))
                    .setParameter(1, address).setParameter(2, addressPattern).setParameter(3, placeholder).executeUpdate();
            if (n > 0) {
                counts.merge(table, n, Integer::sum);
            }
        });
        return counts;
    }

    /** The person's IDs and addresses as the statements name them; names null when none is known. */
    private record Person(Long[] ids, Long[] activities, String address, String placeholder, String addressPattern, String names) {
    }

    private int update(String sql, Person p) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("ids", p.ids());
        values.put("activities", p.activities());
        values.put("address", p.address());
        values.put("placeholder", p.placeholder());
        values.put("addressPattern", p.addressPattern());
        values.put("names", p.names());
        var query = em.createNativeQuery(sql);
        values.forEach((name, value) -> {
            if (sql.matches("(?s).*:" + name + "\\b.*")) {
                query.setParameter(name, value);
            }
        });
        return query.executeUpdate();
    }

    /** The column with the address replaced by the placeholder and, when there are any, the person's names by [erased]. */
    private static String scrub(String column, String namePattern) {
        String address = "regexp_replace(" + column + ", :addressPattern, :placeholder, 'gi')";
        return namePattern == null ? address : "regexp_replace(" + address + ", :names, '" + ERASED_TEXT + "', 'gi')";
    }

    /** A PostgreSQL regular expression matching any of the terms literally (as whole words when asked). */
    static String regex(java.util.Collection<String> terms, boolean words) {
        String alternatives = terms.stream().map(Erasures::literal).collect(Collectors.joining("|"));
        return words ? "\\m(" + alternatives + ")\\M" : "(" + alternatives + ")";
    }

    private static String literal(String term) {
        StringBuilder out = new StringBuilder();
        term.strip().codePoints().forEach(cp -> {
            if (cp < 128 && !Character.isLetterOrDigit(cp)) {
                out.append('\\');
            }
            out.appendCodePoint(cp);
        });
        return out.toString();
    }
}
