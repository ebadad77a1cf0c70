package org.crmbulk.api.launch;

import java.net.URI;

import org.crmbulk.api.problem.ProblemException;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

@Path("/api/v1/launches")
public class LaunchResource {

    @Inject
    LaunchService launches;

    /** 202: the launch is accepted and queued; its Location shows the progress. */
    @POST
    public Response launch(@NotNull @Valid LaunchRequest request) {
        LaunchView accepted = launches.launch(request);
        return Response.accepted(accepted).location(URI.create("/api/v1/launches/" + accepted.id())).build();
    }

    @GET
    @Path("/{id}")
    public LaunchView get(@PathParam("id") long id) {
        return launches.find(id).orElseThrow(() -> ProblemException.notFound("launch", id, "id"));
    }

    @GET
    @Path("/{id}/deliveries")
    public DeliveryPage deliveries(@PathParam("id") long id, @QueryParam("status") String status,
            @QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return launches.deliveries(id, status, after, limit);
    }
}
