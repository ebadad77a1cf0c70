package org.crmbulk.api.bulkaction;

import java.net.URI;

import org.crmbulk.api.attachment.Attachments;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.security.CallerRateLimiter;
import org.crmbulk.api.security.Roles;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

@RolesAllowed(Roles.CAMPAIGN_MANAGER)
@Path("/api/v1/bulk-actions")
public class BulkActionResource {

    @Inject
    SecurityIdentity caller;

    @Inject
    CallerRateLimiter rateLimiter;

    @Inject
    BulkActionService actions;

    @Inject
    TestSendService testSends;

    @Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    @POST
    public Response create(@NotNull @Valid BulkActionRequest request) {
        BulkActionView created = actions.create(request, caller.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/bulk-actions/" + created.id())).entity(created).build();
    }

    @GET
    @RolesAllowed(Roles.READER)
    public BulkActionView.Page all(@QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return actions.all(after, limit);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}")
    public BulkActionView get(@PathParam("id") long id) {
        return actions.find(id).orElseThrow(() -> ProblemException.notFound("bulk action", id, "id"));
    }

    @PUT
    @Path("/{id}")
    public BulkActionView update(@PathParam("id") long id, @NotNull @Valid BulkActionRequest request) {
        return actions.update(id, request, caller.getPrincipal().getName());
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") long id) {
        actions.delete(id);
        return Response.noContent().build();
    }

    /** Multipart upload (part "file"): a new content version that carries it; launches accepted before keep theirs. */
    @POST
    @Path("/{id}/attachments")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response addAttachment(@PathParam("id") long id, @RestForm("file") FileUpload file) {
        Attachments.View added = actions.addAttachment(id, Attachments.Upload.of(file), caller.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/bulk-actions/" + id + "/attachments/" + added.id())).entity(added).build();
    }

    @DELETE
    @Path("/{id}/attachments/{attachmentId}")
    public Response deleteAttachment(@PathParam("id") long id, @PathParam("attachmentId") long attachmentId) {
        actions.deleteAttachment(id, attachmentId, caller.getPrincipal().getName());
        return Response.noContent().build();
    }

    /** 202: the worker sends it to these addresses only; the Location shows each relay answer. */
    @POST
    @Path("/{id}/test-sends")
    public Response testSend(@PathParam("id") long id, @NotNull @Valid TestSend.Request request) {
        rateLimiter.acquire(caller.getPrincipal().getName());
        TestSend accepted = testSends.request(id, request);
        return Response.accepted(accepted).location(URI.create("/api/v1/bulk-actions/" + id + "/test-sends/" + accepted.id())).build();
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}/test-sends/{testSendId}")
    public TestSend getTestSend(@PathParam("id") long id, @PathParam("testSendId") long testSendId) {
        return testSends.find(testSendId).filter(t -> t.bulkActionId() == id)
                .orElseThrow(() -> ProblemException.notFound("test send", testSendId, "testSendId"));
    }

    /** The body is optional, with or without a Content-Type: a typed body parameter would make a bare POST a 415. */
    @POST
    @Path("/{id}/preview")
    @Consumes(MediaType.WILDCARD)
    public Preview preview(@PathParam("id") long id, String body) throws java.io.IOException {
        Preview.Request request = body == null || body.isBlank() ? null : json.readValue(body, Preview.Request.class);
        return actions.preview(id, request == null ? null : request.contactId());
    }
}
