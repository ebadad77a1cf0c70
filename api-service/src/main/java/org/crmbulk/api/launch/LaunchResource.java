package org.crmbulk.api.launch;

import java.net.URI;
import java.time.OffsetDateTime;

import org.crmbulk.api.bulkaction.ContentVersion;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.security.CallerRateLimiter;
import org.crmbulk.api.security.Roles;
import org.jboss.resteasy.reactive.RestStreamElementType;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

@RolesAllowed(Roles.CAMPAIGN_MANAGER)
@Path("/api/v1/launches")
public class LaunchResource {

    @Inject
    LaunchService launches;

    @Inject
    DeliveryExport export;

    @Inject
    LaunchProgress progress;

    @Inject
    SecurityIdentity caller;

    @Inject
    CallerRateLimiter rateLimiter;

    /** 202: accepted and queued (or scheduled); its Location shows the progress. */
    @POST
    public Response launch(@HeaderParam("Idempotency-Key") String idempotencyKey, @NotNull @Valid LaunchRequest request) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200
                || idempotencyKey.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
            throw ProblemException.badField("Idempotency-Key", "must be 1 to 200 characters without control characters");
        }
        rateLimiter.acquire(caller.getPrincipal().getName());
        LaunchService.Answer answer = launches.launch(request, idempotencyKey, caller.getPrincipal().getName());
        return Response.status(answer.status()).location(URI.create(answer.location()))
                .type(MediaType.APPLICATION_JSON).entity(answer.body()).build();
    }

    @GET
    @RolesAllowed(Roles.READER)
    public LaunchView.Page history(@QueryParam("bulkActionId") Long bulkActionId, @QueryParam("status") String status,
            @QueryParam("launchedBy") @Size(max = 200) String launchedBy, @QueryParam("from") OffsetDateTime from,
            @QueryParam("to") OffsetDateTime to, @QueryParam("before") Long before,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return launches.history(new LaunchFilter(bulkActionId, status, launchedBy, from, to), before, limit);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}")
    public LaunchView get(@PathParam("id") long id) {
        return launches.find(id).orElseThrow(() -> ProblemException.notFound("launch", id, "id"));
    }

    /** The content the launch froze at acceptance (sender, templates, activity option, attachments by hash). */
    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}/content")
    public ContentVersion content(@PathParam("id") long id) {
        return launches.content(id).orElseThrow(() -> ProblemException.notFound("launch", id, "id"));
    }

    /** Server-sent events: the launch each time its counters or status change; the stream ends when it is final. */
    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Blocking
    public Multi<LaunchView> events(@PathParam("id") long id) {
        get(id);
        return progress.stream(id, 500);
    }

    @POST
    @Path("/{id}/pause")
    public LaunchView pause(@PathParam("id") long id) {
        return launches.pause(id, caller.getPrincipal().getName());
    }

    @POST
    @Path("/{id}/resume")
    public LaunchView resume(@PathParam("id") long id) {
        return launches.resume(id, caller.getPrincipal().getName());
    }

    @POST
    @Path("/{id}/cancel")
    public LaunchView cancel(@PathParam("id") long id) {
        return launches.cancel(id, caller.getPrincipal().getName());
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}/deliveries")
    public DeliveryPage deliveries(@PathParam("id") long id, @QueryParam("status") String status,
            @QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return launches.deliveries(id, status, after, limit);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}/deliveries.csv")
    @Produces("text/csv")
    public Response exportDeliveries(@PathParam("id") long id, @QueryParam("status") String status) {
        launches.deliveries(id, status, 0, 1);
        return Response.ok(export.csv(id, status))
                .header("Content-Disposition", "attachment; filename=\"launch-" + id + "-deliveries.csv\"").build();
    }
}
