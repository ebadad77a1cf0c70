package org.crmbulk.api.contact;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

@RolesAllowed(Roles.CAMPAIGN_MANAGER)
@Path("/api/v1/contacts")
public class ContactResource {

    @Inject
    ContactService contacts;

    @Inject
    SecurityIdentity caller;

    @POST
    public Response create(@NotNull @Valid ContactRequest request) {
        ContactView created = contacts.create(request, caller.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/contacts/" + created.id())).entity(created).build();
    }

    @GET
    @RolesAllowed(Roles.READER)
    public ContactPage search(@QueryParam("email") @Size(max = 254) String email, @QueryParam("name") @Size(max = 200) String name,
            @QueryParam("company") @Size(max = 300) String company, @QueryParam("externalId") @Size(max = 200) String externalId,
            @QueryParam("optedOut") Boolean optedOut,
            @QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return contacts.search(new ContactFilter(email, name, company, externalId, optedOut), after, limit);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}")
    public ContactView get(@PathParam("id") long id) {
        return contacts.find(id).orElseThrow(() -> ProblemException.notFound("contact", id, "id"));
    }

    @PUT
    @Path("/{id}")
    public ContactView update(@PathParam("id") long id, @NotNull @Valid ContactRequest request) {
        return contacts.update(id, request, caller.getPrincipal().getName()).orElseThrow(() -> ProblemException.notFound("contact", id, "id"));
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") long id) {
        if (!contacts.delete(id)) {
            throw ProblemException.notFound("contact", id, "id");
        }
        return Response.noContent().build();
    }

    /** Upsert by external ID: 200 with what was created, updated and rejected (and why). */
    @POST
    @Path("/bulk")
    public UpsertResult upsert(@NotNull @Size(min = 1, max = 10_000) List<ContactRequest> requests) {
        return contacts.upsert(requests, caller.getPrincipal().getName());
    }

    /**
     * CSV import, streamed: a header row names the columns; bad rows are reported, good ones kept. The charset
     * is the Content-Type's (UTF-8 when it names none) unless the file starts with a byte order mark.
     */
    @POST
    @Path("/import")
    @Consumes({"text/csv", "text/plain", "application/octet-stream"})
    public UpsertResult importCsv(InputStream csv, @Context HttpHeaders headers, @QueryParam("listId") Long listId,
            @QueryParam("unknownColumns") @DefaultValue("reject") UnknownColumns unknownColumns) {
        return contacts.importCsv(csv, charset(headers.getMediaType()), unknownColumns, listId, caller.getPrincipal().getName());
    }

    /** The contact's opt-outs and explicit re-consents: what, from where, by whom, when. */
    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}/consent-events")
    public List<ConsentEvent> consentEvents(@PathParam("id") long id) {
        return contacts.consentEvents(id).orElseThrow(() -> ProblemException.notFound("contact", id, "id"));
    }

    private static Charset charset(MediaType type) {
        String name = type == null ? null : type.getParameters().get(MediaType.CHARSET_PARAMETER);
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        return CsvContactReader.CHARSETS.stream().filter(c -> c.name().equalsIgnoreCase(name.trim()) || c.aliases().stream()
                .anyMatch(a -> a.equalsIgnoreCase(name.trim()))).findFirst()
                .orElseThrow(() -> new ProblemException(Response.Status.UNSUPPORTED_MEDIA_TYPE, "unsupported charset",
                        "Content-Type", "charset must be one of " + CsvContactReader.CHARSETS.stream().map(Charset::name).toList()));
    }
}
