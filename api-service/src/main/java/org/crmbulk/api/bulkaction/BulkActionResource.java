package org.crmbulk.api.bulkaction;

import java.net.URI;

import org.crmbulk.api.problem.ProblemException;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

@Path("/api/v1/bulk-actions")
public class BulkActionResource {

    @Inject
    BulkActionService actions;

    @POST
    public Response create(@NotNull @Valid BulkActionRequest request) {
        BulkActionView created = actions.create(request);
        return Response.created(URI.create("/api/v1/bulk-actions/" + created.id())).entity(created).build();
    }

    @GET
    @Path("/{id}")
    public BulkActionView get(@PathParam("id") long id) {
        return actions.find(id).orElseThrow(() -> ProblemException.notFound("bulk action", id, "id"));
    }
}
