package org.crmbulk.api.activity;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;

import org.crmbulk.api.attachment.Attachments;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.security.CallerRateLimiter;
import org.crmbulk.api.security.Roles;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

@RolesAllowed(Roles.CAMPAIGN_MANAGER)
@Path("/api/v1/activities")
public class ActivityResource {

    @Inject
    SecurityIdentity caller;

    @Inject
    CallerRateLimiter rateLimiter;

    @Inject
    ActivityService activities;

    @Inject
    MailTaskService mailTasks;

    @POST
    public Response create(@NotNull @Valid ActivityRequest request) {
        ActivityView created = activities.create(request);
        return Response.created(URI.create("/api/v1/activities/" + created.id())).entity(created).build();
    }

    @GET
    @RolesAllowed(Roles.READER)
    public ActivityView.Page list(@QueryParam("contactId") Long contactId, @QueryParam("ownerUserId") Long ownerUserId,
            @QueryParam("type") @Pattern(regexp = "EMAIL|CALL|MEETING|TASK|NOTE", message = "must be one of EMAIL, CALL, MEETING, TASK, NOTE") String type, @QueryParam("launchId") Long launchId, @QueryParam("from") OffsetDateTime from,
            @QueryParam("to") OffsetDateTime to, @QueryParam("before") Long before,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return activities.list(contactId, ownerUserId, type, launchId, from, to, before, limit);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}")
    public ActivityView get(@PathParam("id") long id) {
        return activities.find(id).orElseThrow(() -> ProblemException.notFound("activity", id, "id"));
    }

    @PUT
    @Path("/{id}")
    public ActivityView update(@PathParam("id") long id, @NotNull @Valid ActivityRequest request) {
        return activities.update(id, request);
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") long id) {
        activities.delete(id);
        return Response.noContent().build();
    }

    /** Multipart upload (part "file"): every mail task of the activity carries it. */
    @POST
    @Path("/{id}/attachments")
    @jakarta.ws.rs.Consumes(jakarta.ws.rs.core.MediaType.MULTIPART_FORM_DATA)
    public Response addAttachment(@PathParam("id") long id,
            @org.jboss.resteasy.reactive.RestForm("file") org.jboss.resteasy.reactive.multipart.FileUpload file) {
        var added = activities.addAttachment(id, Attachments.Upload.of(file));
        return Response.created(URI.create("/api/v1/activities/" + id + "/attachments/" + added.id())).entity(added).build();
    }

    @DELETE
    @Path("/{id}/attachments/{attachmentId}")
    public Response deleteAttachment(@PathParam("id") long id, @PathParam("attachmentId") long attachmentId) {
        activities.deleteAttachment(id, attachmentId);
        return Response.noContent().build();
    }

    /** INDIVIDUAL and BULK: 202 + Location of the mail job; CLIENT: 200 with the draft (nothing is sent). */
    @POST
    @Path("/{id}/mail-tasks")
    public Response runMailTask(@PathParam("id") long id, @NotNull @Valid MailTaskRequest request) {
        rateLimiter.acquire(caller.getPrincipal().getName());
        MailJobView job = mailTasks.run(id, request, caller.getPrincipal().getName());
        if ("CLIENT".equals(job.mode())) {
            return Response.ok(job).build();
        }
        return Response.accepted(job).location(URI.create("/api/v1/activities/" + id + "/mail-jobs/" + job.id())).build();
    }

    /** The activity's mail log, newest first. */
    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}/mail-jobs")
    public List<MailJobView> mailLog(@PathParam("id") long id) {
        return mailTasks.log(id);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}/mail-jobs/{jobId}")
    public MailJobView mailJob(@PathParam("id") long id, @PathParam("jobId") long jobId) {
        return mailTasks.find(id, jobId).orElseThrow(() -> ProblemException.notFound("mail job", jobId, "jobId"));
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}/mail-jobs/{jobId}/draft.eml")
    @Produces("message/rfc822")
    public Response draft(@PathParam("id") long id, @PathParam("jobId") long jobId) {
        return Response.ok(mailTasks.eml(id, jobId))
                .header("Content-Disposition", "attachment; filename=\"activity-" + id + "-draft.eml\"").build();
    }
}
