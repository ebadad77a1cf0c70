package org.crmbulk.api.user;

import java.net.URI;

import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.security.Roles;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

@RolesAllowed(Roles.CAMPAIGN_MANAGER)
@Path("/api/v1/users")
public class UserResource {

    @Inject
    UserService users;

    @POST
    public Response create(@NotNull @Valid UserRequest request) {
        UserView created = users.create(request);
        return Response.created(URI.create("/api/v1/users/" + created.id())).entity(created).build();
    }

    @GET
    @RolesAllowed(Roles.READER)
    public UserView.Page all(@QueryParam("active") Boolean active, @QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return users.all(active, after, limit);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}")
    public UserView get(@PathParam("id") long id) {
        return users.find(id).orElseThrow(() -> ProblemException.notFound("user", id, "id"));
    }

    @PUT
    @Path("/{id}")
    public UserView update(@PathParam("id") long id, @NotNull @Valid UserRequest request) {
        return users.update(id, request);
    }

    @POST
    @Path("/{id}/deactivate")
    public UserView deactivate(@PathParam("id") long id) {
        return users.setActive(id, false);
    }

    @POST
    @Path("/{id}/activate")
    public UserView activate(@PathParam("id") long id) {
        return users.setActive(id, true);
    }
}
