package org.crmbulk.api.consent;

import java.io.InputStream;
import java.net.URI;

import org.crmbulk.api.problem.NoLineBreaks;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.problem.ValidEmail;
import org.crmbulk.api.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/** The suppression list: campaign managers change it, readers read it; every change is audited. */
@RolesAllowed(Roles.CAMPAIGN_MANAGER)
@Path("/api/v1/suppressions")
public class SuppressionResource {

    @Inject
    SuppressionService service;

    @Inject
    SuppressionImport importer;

    @Inject
    SecurityIdentity caller;

    @GET
    @RolesAllowed(Roles.READER)
    public SuppressionPage search(@QueryParam("email") @ValidEmail @Size(max = 254) String email, @QueryParam("listId") @Min(1) Long listId,
            @QueryParam("reason") Suppressions.Reason reason, @QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return service.search(email, listId, reason, after, limit);
    }

    /** The whole list as CSV (the form {@link SuppressionImport} reads back), streamed. */
    @GET
    @RolesAllowed(Roles.READER)
    @Path("/export.csv")
    @Produces("text/csv")
    public Response export() {
        return Response.ok(service.csv()).header("Content-Disposition", "attachment; filename=\"suppressions.csv\"").build();
    }

    /** Adds the rows of a CSV file (another tool's list); never removes an entry. */
    @POST
    @Path("/import")
    @Consumes("text/csv")
    public SuppressionImport.Result importCsv(InputStream body) {
        return importer.run(body, caller.getPrincipal().getName());
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}")
    public SuppressionView get(@PathParam("id") long id) {
        return service.find(id).orElseThrow(() -> ProblemException.notFound("suppression", id, "id"));
    }

    /** 201 with the new entry; 409 when the address is already suppressed in that scope. */
    @POST
    public Response add(@NotNull @Valid SuppressionRequest request) {
        SuppressionView added = service.add(request, caller.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/suppressions/" + added.id())).entity(added).build();
    }

    /** Removing an entry lets the address be mailed again in that scope: it takes a reason, which is audited. */
    @DELETE
    @Path("/{id}")
    public Response remove(@PathParam("id") long id,
            @QueryParam("reason") @NotBlank @Size(max = 500) @NoLineBreaks String reason) {
        if (!service.remove(id, reason, caller.getPrincipal().getName())) {
            throw ProblemException.notFound("suppression", id, "id");
        }
        return Response.noContent().build();
    }
}
