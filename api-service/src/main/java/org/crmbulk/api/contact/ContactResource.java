package org.crmbulk.api.contact;

import java.net.URI;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import org.crmbulk.api.problem.ProblemException;

@Path("/api/v1/contacts")
public class ContactResource {

    @Inject
    ContactService contacts;

    @POST
    public Response create(@NotNull @Valid ContactRequest request) {
        ContactView created = contacts.create(request);
        return Response.created(URI.create("/api/v1/contacts/" + created.id())).entity(created).build();
    }

    @GET
    @Path("/{id}")
    public ContactView get(@PathParam("id") long id) {
        return contacts.find(id).orElseThrow(() -> ProblemException.notFound("contact", id, "id"));
    }
}
