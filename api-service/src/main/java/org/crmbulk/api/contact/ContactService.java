package org.crmbulk.api.contact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.crmbulk.api.common.Keyset;
import org.crmbulk.api.consent.Suppressions;
import org.crmbulk.api.list.MarketingList;
import org.crmbulk.api.problem.ProblemException;

import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.ws.rs.core.Response;

@ApplicationScoped
public class ContactService {

    @Inject
    EntityManager em;

    @Inject
    ContactImporter importer;

    @Inject
    Suppressions suppressions;

    @Inject
    Validator validator;

    @Transactional
    public ContactView create(ContactRequest request, String caller) {
        refuseTakenExternalId(request.externalId(), null);
        Contact contact = new Contact();
        apply(contact, request);
        contact.persist();
        em.flush();
        if (contact.optedOut) {
            log(contact, "OPT_OUT", request, caller);
        }
        return ContactView.of(contact);
    }

    @Transactional
    public Optional<ContactView> find(long id) {
        return Contact.<Contact>findByIdOptional(id).map(ContactView::of);
    }

    /**
     * Replaces the contact's fields with the request's. Its consent changes only when {@code optedOut} is given:
     * true opts it out, false on an opted-out contact is an explicit re-consent; both are logged.
     */
    @Transactional
    public Optional<ContactView> update(long id, ContactRequest request, String caller) {
        Optional<Contact> found = Contact.findByIdOptional(id);
        found.ifPresent(contact -> {
            refuseTakenExternalId(request.externalId(), id);
            consent(contact, request, caller);
            apply(contact, request);
        });
        return found.map(ContactView::of);
    }

    @Transactional
    public boolean delete(long id) {
        Contact contact = Contact.findById(id);
        if (contact == null) {
            return false;
        }
        // Lists' member counts follow the memberships the delete cascades away.
        em.createNativeQuery("""
                UPDATE marketing_list l SET member_count = member_count - 1
                WHERE EXISTS (SELECT 1 FROM list_member m WHERE m.list_id = l.id AND m.contact_id = ?1)""")
                .setParameter(1, id).executeUpdate();
        em.createNativeQuery("DELETE FROM list_member WHERE contact_id = ?1").setParameter(1, id).executeUpdate();
        contact.delete();
        return true;
    }

    /** Keyset page in ID order: a page deep in a million contacts costs what the first one costs. */
    @Transactional
    public ContactPage search(ContactFilter filter, long after, int limit) {
        StringBuilder where = new StringBuilder("id > :after");
        Parameters params = Parameters.with("after", after);
        if (filter.email() != null) {
            where.append(" AND lower(email) = :email");
            params.and("email", filter.email().toLowerCase(Locale.ROOT));
        }
        if (filter.name() != null) {
            where.append(" AND (lower(lastName) LIKE :name OR lower(firstName) LIKE :name)");
            params.and("name", like(filter.name()));
        }
        if (filter.company() != null) {
            where.append(" AND lower(company) LIKE :company");
            params.and("company", like(filter.company()));
        }
        if (filter.externalId() != null) {
            where.append(" AND externalId = :externalId");
            params.and("externalId", filter.externalId());
        }
        if (filter.optedOut() != null) {
            where.append(" AND optedOut = :optedOut");
            params.and("optedOut", filter.optedOut());
        }
        List<Contact> found = Contact.<Contact>find(where + " ORDER BY id", params).page(0, limit + 1).list();
        Keyset<ContactView> page = Keyset.page(found, limit, ContactView::of, ContactView::id);
        return new ContactPage(page.items(), page.next());
    }

    /** Upserts by external ID; each item is validated alone and a bad one does not stop the good ones. */
    @Transactional
    public UpsertResult upsert(List<ContactRequest> requests, String caller) {
        return importer.run(null, caller, batch -> {
            for (int i = 0; i < requests.size(); i++) {
                ContactRequest r = requests.get(i);
                if (r == null) {
                    batch.error(new UpsertResult.RowError(i, "item", "must not be null"));
                } else if (r.externalId() == null || r.externalId().isBlank()) {
                    batch.error(new UpsertResult.RowError(i, "externalId", "is required for an upsert"));
                } else {
                    row(i, r, batch);
                }
            }
            return batch.finish();
        });
    }

    /**
     * Streams a CSV file into the contacts (and the list, when given); rows are never all in memory. Each row is
     * held to the rules of the JSON API; a file that is not valid CSV imports nothing.
     */
    @Transactional
    public UpsertResult importCsv(InputStream csv, Charset charset, UnknownColumns unknownColumns, Long listId,
            String caller) {
        if (listId != null && MarketingList.findById(listId) == null) {
            throw ProblemException.notFound("marketing list", listId, "listId");
        }
        return importer.run(listId, caller, batch -> {
            try {
                CsvContactReader.read(csv, charset, unknownColumns, row -> row(row.line(), row.request(), batch), batch::error);
            } catch (IOException e) {
                throw new ProblemException(Response.Status.BAD_REQUEST, "the CSV could not be read: " + e.getMessage(),
                        "body", "unreadable");
            }
            return batch.finish();
        });
    }

    /** The contact's opt-outs and re-consents, oldest first. */
    @Transactional
    public Optional<List<ConsentEvent>> consentEvents(long id) {
        if (Contact.findById(id) == null) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        List<jakarta.persistence.Tuple> rows = em.createNativeQuery(
                "SELECT action, source, actor, list_id, launch_id, delivery_id, reason, created_at FROM consent_event WHERE contact_id = ?1 ORDER BY id",
                jakarta.persistence.Tuple.class).setParameter(1, id).getResultList();
        return Optional.of(rows.stream().map(r -> new ConsentEvent(r.get("action", String.class), r.get("source", String.class),
                r.get("actor", String.class), id(r.get("list_id")), id(r.get("launch_id")), id(r.get("delivery_id")),
                r.get("reason", String.class), org.crmbulk.api.common.Times.offset(r.get("created_at")))).toList());
    }

    /** A row of an import or an upsert, held to the JSON API's rules for a contact. */
    private void row(long line, ContactRequest r, ContactImporter.Batch batch) {
        Set<ConstraintViolation<ContactRequest>> violations = validator.validate(r);
        if (!violations.isEmpty()) {
            ConstraintViolation<ContactRequest> v = violations.stream()
                    .min(java.util.Comparator.comparing(c -> c.getPropertyPath().toString())).orElseThrow();
            batch.error(new UpsertResult.RowError(line, v.getPropertyPath().toString(), v.getMessage()));
        } else {
            batch.row(new ContactRow(line, r.externalId(), r.email(), r.firstName(), r.lastName(), r.company(), r.language(),
                    r.customFields(), r.optedOut()));
        }
    }

    /** Logs the consent change the request makes to an existing contact; call it before {@link #apply} changes it. */
    private void consent(Contact contact, ContactRequest request, String caller) {
        if (Boolean.TRUE.equals(request.optedOut()) && !contact.optedOut) {
            log(contact, "OPT_OUT", request, caller);
        } else if (Boolean.FALSE.equals(request.optedOut()) && contact.optedOut) {
            log(contact, "RE_CONSENT", request, caller);
        }
    }

    private void log(Contact contact, String action, ContactRequest request, String caller) {
        suppressions.logContact(action, contact.id, contact.email, null, null, request.optOutSource() == null ? "api" : request.optOutSource(),
                caller);
    }

    private void refuseTakenExternalId(String externalId, Long self) {
        if (externalId == null) {
            return;
        }
        Contact other = Contact.find("externalId", externalId).firstResult();
        if (other != null && !other.id.equals(self)) {
            throw new ProblemException(Response.Status.CONFLICT, "a contact with external ID " + externalId + " already exists",
                    "externalId", "already used by contact " + other.id);
        }
    }

    private static void apply(Contact contact, ContactRequest request) {
        contact.externalId = request.externalId();
        contact.email = request.email();
        contact.firstName = request.firstName();
        contact.lastName = request.lastName();
        contact.company = request.company();
        contact.language = request.language();
        contact.customFields = request.customFields() == null ? new HashMap<>() : new HashMap<>(request.customFields());
        // Absent means "as it is": only an explicit false re-subscribes an opted-out contact.
        boolean optedOut = request.optedOut() == null ? contact.optedOut : request.optedOut();
        if (optedOut && !contact.optedOut) {
            contact.optedOutAt = OffsetDateTime.now();
            contact.optOutSource = request.optOutSource() == null ? "api" : request.optOutSource();
        } else if (!optedOut) {
            contact.optedOutAt = null;
            contact.optOutSource = null;
        }
        contact.optedOut = optedOut;
    }

    private static Long id(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    private static String like(String prefix) {
        return prefix.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
