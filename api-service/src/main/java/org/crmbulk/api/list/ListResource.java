package org.crmbulk.api.list;

import java.net.URI;

import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.security.Roles;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

@RolesAllowed(Roles.CAMPAIGN_MANAGER)
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
    @RolesAllowed(Roles.READER)
    public ListPage all(@QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return lists.all(after, limit);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}")
    public ListView get(@PathParam("id") long id) {
        return lists.find(id).orElseThrow(() -> ProblemException.notFound("marketing list", id, "id"));
    }

    @PATCH
    @Path("/{id}")
    public ListView patch(@PathParam("id") long id, @NotNull @Valid ListPatch patch) {
        return lists.patch(id, patch);
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") long id) {
        lists.delete(id);
        return Response.noContent().build();
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}/members")
    public MemberPage members(@PathParam("id") long id, @QueryParam("notIn") Long notIn,
            @QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return lists.members(id, notIn, after, limit);
    }

    @POST
    @Path("/{id}/members")
    public MembersChanged addMembers(@PathParam("id") long id, @NotNull @Valid MembersRequest request) {
        return lists.addMembers(id, request);
    }

    @POST
    @Path("/{id}/members/remove")
    public MembersChanged removeMembers(@PathParam("id") long id, @NotNull @Valid MembersRequest request) {
        return lists.removeMembers(id, request);
    }

    @POST
    @Path("/{id}/copy")
    public Response copy(@PathParam("id") long id, @NotNull @Valid CopyRequest request) {
        ListView created = lists.copy(id, request);
        return Response.created(URI.create("/api/v1/lists/" + created.id())).entity(created).build();
    }
}
