package org.crmbulk.api.codebook;

import java.net.URI;
import java.util.List;

import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

@RolesAllowed(Roles.CODEBOOK_ADMIN)
@Path("/api/v1/codebooks")
public class CodebookResource {

    @Inject
    CodebookService codebooks;

    @Inject
    SecurityIdentity caller;

    @GET
    @RolesAllowed(Roles.READER)
    public List<CodebookEntry.Summary> all() {
        return codebooks.codebooks();
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{codebook}/entries")
    public List<CodebookEntry> entries(@PathParam("codebook") @Size(max = 64) String codebook) {
        return codebooks.entries(codebook);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{codebook}/entries/{key}")
    public CodebookEntry entry(@PathParam("codebook") @Size(max = 64) String codebook, @PathParam("key") @Size(max = 200) String key) {
        return codebooks.entry(codebook, key)
                .orElseThrow(() -> ProblemException.notFound("codebook entry", codebook + "/" + key, "key"));
    }

    /** 201 when the entry is new, 200 when it changed; OMAILUL keys and values are checked. */
    @PUT
    @Path("/{codebook}/entries/{key}")
    public Response put(@PathParam("codebook") @Size(max = 64) String codebook, @PathParam("key") @Size(max = 200) String key,
            @NotNull @Valid CodebookEntry.Request request) {
        boolean created = codebooks.put(codebook, key, request, caller.getPrincipal().getName());
        CodebookEntry entry = codebooks.entry(codebook, key).orElseThrow();
        return created ? Response.created(URI.create("/api/v1/codebooks/" + codebook + "/entries/" + key)).entity(entry).build()
                : Response.ok(entry).build();
    }

    @DELETE
    @Path("/{codebook}/entries/{key}")
    public Response delete(@PathParam("codebook") @Size(max = 64) String codebook, @PathParam("key") @Size(max = 200) String key) {
        if (!codebooks.delete(codebook, key, caller.getPrincipal().getName())) {
            throw ProblemException.notFound("codebook entry", codebook + "/" + key, "key");
        }
        return Response.noContent().build();
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{codebook}/audit")
    public List<CodebookEntry.Audit> audit(@PathParam("codebook") @Size(max = 64) String codebook, @QueryParam("key") @Size(max = 200) String key) {
        return codebooks.audit(codebook, key);
    }
}
