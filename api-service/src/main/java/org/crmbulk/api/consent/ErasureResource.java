package org.crmbulk.api.consent;

import java.net.URI;

import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

/** Erasure of a person (GDPR Art. 17): a privacy officer's act, audited without the address. */
@RolesAllowed(Roles.PRIVACY_OFFICER)
@Path("/api/v1/erasures")
public class ErasureResource {

    @Inject
    Erasures erasures;

    @Inject
    SecurityIdentity caller;

    /** 201 with the audit of what was rewritten; 404 for an unknown contact; 409 while a message to the person is being sent. */
    @POST
    public Response erase(@NotNull @Valid ErasureRequest request) {
        if ((request.contactId() == null) == (request.email() == null)) {
            throw ProblemException.unprocessable(request.contactId() == null ? "contactId" : "email",
                    "give exactly one of contactId and email");
        }
        String actor = caller.getPrincipal().getName();
        ErasureView done = request.contactId() != null ? erasures.eraseContact(request.contactId(), request.reason(), actor)
                : erasures.eraseAddress(request.email(), request.reason(), actor);
        return Response.created(URI.create("/api/v1/erasures/" + done.id())).entity(done).build();
    }

    @GET
    @Path("/{id}")
    public ErasureView get(@PathParam("id") long id) {
        return erasures.find(id).orElseThrow(() -> ProblemException.notFound("erasure", id, "id"));
    }
}
