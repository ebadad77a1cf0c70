package org.crmbulk.api.contact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.crmbulk.api.common.Keyset;
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
    Validator validator;

    @Transactional
    public ContactView create(ContactRequest request) {
        refuseTakenExternalId(request.externalId(), null);
        Contact contact = new Contact();
        apply(contact, request);
        contact.persist();
        return ContactView.of(contact);
    }

    @Transactional
    public Optional<ContactView> find(long id) {
        return Contact.<Contact>findByIdOptional(id).map(ContactView::of);
    }

    /** Replaces the contact's fields with the request's. */
    @Transactional
    public Optional<ContactView> update(long id, ContactRequest request) {
        Optional<Contact> found = Contact.findByIdOptional(id);
        found.ifPresent(contact -> {
            refuseTakenExternalId(request.externalId(), id);
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
    public UpsertResult upsert(List<ContactRequest> requests) {
        return importer.run(null, batch -> {
            for (int i = 0; i < requests.size(); i++) {
                ContactRequest r = requests.get(i);
                if (r == null) {
                    batch.error(new UpsertResult.RowError(i, "item", "must not be null"));
                    continue;
                }
                Set<ConstraintViolation<ContactRequest>> violations = validator.validate(r);
                if (!violations.isEmpty()) {
                    ConstraintViolation<ContactRequest> v = violations.iterator().next();
                    batch.error(new UpsertResult.RowError(i, v.getPropertyPath().toString(), v.getMessage()));
                } else if (r.externalId() == null || r.externalId().isBlank()) {
                    batch.error(new UpsertResult.RowError(i, "externalId", "is required for an upsert"));
                } else {
                    batch.row(new ContactRow(i, r.externalId(), r.email(), r.firstName(), r.lastName(), r.company(),
                            r.language(), r.customFields(), r.optedOut()));
                }
            }
            return batch.finish();
        });
    }

    /** Streams a CSV file into the contacts (and the list, when given); rows are never all in memory. */
    @Transactional
    public UpsertResult importCsv(InputStream csv, Long listId) {
        if (listId != null && MarketingList.findById(listId) == null) {
            throw ProblemException.notFound("marketing list", listId, "listId");
        }
        return importer.run(listId, batch -> {
            try {
                ContactImporter.readCsv(csv, batch);
            } catch (CharacterCodingException e) {
                throw ProblemException.badField("body", "the CSV is not valid UTF-8");
            } catch (IOException e) {
                throw new ProblemException(Response.Status.BAD_REQUEST, "the CSV could not be read: " + e.getMessage(),
                        "body", "unreadable");
            }
            return batch.finish();
        });
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
        boolean optedOut = Boolean.TRUE.equals(request.optedOut());
        if (optedOut && !contact.optedOut) {
            contact.optedOutAt = OffsetDateTime.now();
            contact.optOutSource = request.optOutSource() == null ? "api" : request.optOutSource();
        } else if (!optedOut) {
            contact.optedOutAt = null;
            contact.optOutSource = null;
        }
        contact.optedOut = optedOut;
    }

    private static String like(String prefix) {
        return prefix.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
