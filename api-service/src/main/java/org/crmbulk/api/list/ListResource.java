package org.crmbulk.api.list;

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

@Path("/api/v1/lists")
public class ListResource {

    @Inject
    ListService lists;

    @POST
    public Response create(@NotNull @Valid ListRequest request) {
        ListView created = lists.create(request);
        return Response.created(URI.create("/api/v1/lists/" + created.id())).entity(created).build();
    }

    @GET
    @Path("/{id}")
    public ListView get(@PathParam("id") long id) {
        return lists.find(id).orElseThrow(() -> ProblemException.notFound("marketing list", id, "id"));
    }

    @POST
    @Path("/{id}/members")
    public MembersAdded addMembers(@PathParam("id") long id, @NotNull @Valid MembersRequest request) {
        return lists.addMembers(id, request);
    }
}
