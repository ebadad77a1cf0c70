package org.crmbulk.api.webhook;

import java.net.URI;

import org.crmbulk.api.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

@RolesAllowed(Roles.WEBHOOK_ADMIN)
@Path("/api/v1/webhooks")
public class WebhookResource {

    @Inject
    Webhooks webhooks;

    @Inject
    SecurityIdentity caller;

    /** 201 with the secret: the only answer that shows it, unless a change sets a new one. */
    @POST
    public Response create(@NotNull @Valid WebhookRequest request) {
        WebhookView created = webhooks.create(request, caller.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/webhooks/" + created.id())).entity(created).build();
    }

    @GET
    public WebhookView.Page all(@QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return webhooks.all(after, limit);
    }

    @GET
    @Path("/{id}")
    public WebhookView get(@PathParam("id") long id) {
        return webhooks.get(id);
    }

    @PUT
    @Path("/{id}")
    public WebhookView replace(@PathParam("id") long id, @NotNull @Valid WebhookRequest request) {
        return webhooks.replace(id, request);
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") long id) {
        webhooks.delete(id);
        return Response.noContent().build();
    }

    @GET
    @Path("/{id}/deliveries")
    public WebhookDeliveryView.Page deliveries(@PathParam("id") long id, @QueryParam("status") String status,
            @QueryParam("before") @Min(1) Long before, @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return webhooks.deliveries(id, status, before, limit);
    }

    /** 202: the deliveries are queued; the log shows them as they go. */
    @POST
    @Path("/{id}/replays")
    public Response replay(@PathParam("id") long id, @NotNull @Valid WebhookDeliveryView.ReplayRequest request) {
        return Response.accepted(webhooks.replay(id, request)).build();
    }
}
