package org.crmbulk.api.bounce;

import java.net.URI;

import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Returned mail handed in by an MTA (bounces, complaints), for mail-worker to read; and what it was found to say. */
@Path("/api/v1/inbound-reports")
@Produces(MediaType.APPLICATION_JSON)
public class InboundReportResource {

    @Inject
    InboundReports reports;

    @Inject
    SecurityIdentity caller;

    @POST
    @Consumes("message/rfc822")
    @RolesAllowed(Roles.MAIL_INTAKE)
    public Response receive(byte[] message) {
        InboundReportView view = reports.receive(message, caller.getPrincipal().getName());
        return Response.accepted(view).location(URI.create("/api/v1/inbound-reports/" + view.id())).build();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Roles.READER)
    public InboundReportView get(@PathParam("id") long id) {
        return reports.find(id).orElseThrow(() -> ProblemException.notFound("inbound report", id, "id"));
    }
}
