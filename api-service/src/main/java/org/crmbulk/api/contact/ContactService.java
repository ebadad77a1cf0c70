package org.crmbulk.api.contact;

import java.util.HashMap;
import java.util.Optional;

import org.crmbulk.api.problem.ProblemException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

@ApplicationScoped
public class ContactService {

    @Transactional
    public ContactView create(ContactRequest request) {
        if (request.externalId() != null && Contact.count("externalId", request.externalId()) > 0) {
            throw new ProblemException(Response.Status.CONFLICT,
                    "a contact with external ID " + request.externalId() + " already exists", "externalId",
                    "already used by another contact");
        }
        Contact contact = new Contact();
        contact.externalId = request.externalId();
        contact.email = request.email();
        contact.firstName = request.firstName();
        contact.lastName = request.lastName();
        contact.company = request.company();
        contact.language = request.language();
        contact.customFields = request.customFields() == null ? new HashMap<>() : new HashMap<>(request.customFields());
        contact.optedOut = Boolean.TRUE.equals(request.optedOut());
        contact.persist();
        return ContactView.of(contact);
    }

    @Transactional
    public Optional<ContactView> find(long id) {
        return Contact.<Contact>findByIdOptional(id).map(ContactView::of);
    }
}
