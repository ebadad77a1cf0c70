package org.crmbulk.api.attachment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

import org.crmbulk.api.problem.Problem;
import org.crmbulk.api.problem.ProblemException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.ws.rs.core.Response;

/**
 * Attachments of bulk actions and activities. Their bytes are stored once per SHA-256 in
 * {@code content_blob}, whoever carries them (an action's uploads, the versions launches froze, an
 * activity, the mail jobs that sent it); a blob goes when nothing refers to it any more. Runs in the
 * caller's transaction.
 */
@ApplicationScoped
public class Attachments {

    /** Where an owner's uploads live: the table and its owner column. */
    public enum Owner {
        BULK_ACTION("attachment", "bulk_action_id"),
        ACTIVITY("activity_attachment", "activity_id");

        final String table;
        final String column;

        Owner(String table, String column) {
            this.table = table;
            this.column = column;
        }
    }

    public record View(long id, String filename, String contentType, int sizeBytes, String sha256) {

        public static View of(Tuple t) {
            return new View(t.get("id", Number.class).longValue(), t.get("filename", String.class),
                    t.get("content_type", String.class), t.get("size_bytes", Number.class).intValue(), t.get("sha256", String.class));
        }
    }

    public record Content(String filename, String contentType, byte[] bytes) {
    }

    /** A multipart upload as the services take it: metadata now, bytes only once the size is known to fit. */
    public record Upload(String filename, String contentType, long size, Supplier<byte[]> read) {

        public static Upload of(FileUpload file) {
            if (file == null) {
                throw ProblemException.badField("file", "a multipart part named file is required");
            }
            String disposition = file.getHeaders().getFirst("Content-Disposition");
            if (disposition != null && (disposition.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f) || unclosedQuote(disposition))) {
                // A line break inside the quoted name ends the header early: the parser would take a truncated name.
                throw ProblemException.badField("file", "the part's Content-Disposition is malformed (a control character "
                        + "or an unterminated quoted file name)");
            }
            return new Upload(file.fileName(), file.contentType() == null ? "application/octet-stream" : file.contentType(),
                    file.size(), () -> {
                        try {
                            return Files.readAllBytes(file.uploadedFile());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
    }

    private static boolean unclosedQuote(String header) {
        boolean quoted = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            }
        }
        return quoted;
    }

    @Inject
    EntityManager em;

    @ConfigProperty(name = "crm.attachments.max-total-bytes", defaultValue = "10485760")
    long maxTotalBytes;

    /**
     * Stores an upload for its owner, refused when the owner's attachments would pass the limit together.
     *
     * @param usedBytes what the owner's attachments already take
     */
    public View add(Owner owner, long ownerId, Upload upload, long usedBytes) {
        String filename = upload.filename();
        if (filename == null || filename.isBlank() || filename.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || filename.length() > 255) {
            throw ProblemException.badField("file", "needs a file name of at most 255 characters without control characters");
        }
        String contentType = upload.contentType();
        if (contentType.length() > 255 || contentType.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw ProblemException.badField("file", "needs a content type of at most 255 characters without control characters");
        }
        if (usedBytes + upload.size() > maxTotalBytes) {
            throw new ProblemException(Problem.of(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "attachments may total at most " + maxTotalBytes + " bytes; this one has " + upload.size() + " and " + usedBytes
                            + " are already used",
                    List.of(new Problem.FieldError("file", "over the limit of " + maxTotalBytes + " bytes in total"))));
        }
        byte[] content = upload.read().get();
        String sha256 = sha256(content);
        em.createNativeQuery("INSERT INTO content_blob (sha256, size_bytes, content) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
                .setParameter(1, sha256).setParameter(2, content.length).setParameter(3, content).executeUpdate();
        Number id = (Number) em.createNativeQuery("INSERT INTO " + owner.table + " (" + owner.column
                + ", filename, content_type, size_bytes, sha256) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id")
                .setParameter(1, ownerId).setParameter(2, filename).setParameter(3, contentType).setParameter(4, content.length)
                .setParameter(5, sha256).getSingleResult();
        return new View(id.longValue(), filename, contentType, content.length, sha256);
    }

    /** An activity's attachment; its bytes go too unless something else carries them. */
    public boolean deleteFromActivity(long activityId, long attachmentId) {
        @SuppressWarnings("unchecked")
        List<String> deleted = em.createNativeQuery("DELETE FROM activity_attachment WHERE id = ?1 AND activity_id = ?2 RETURNING sha256")
                .setParameter(1, attachmentId).setParameter(2, activityId).getResultList();
        collectGarbage(deleted);
        return !deleted.isEmpty();
    }

    public List<View> ofActivity(long activityId) {
        return views("SELECT id, filename, content_type, size_bytes, sha256 FROM activity_attachment WHERE activity_id = ?1 ORDER BY id",
                activityId);
    }

    public long activityBytes(long activityId) {
        return ((Number) em.createNativeQuery("SELECT coalesce(sum(size_bytes), 0) FROM activity_attachment WHERE activity_id = ?1")
                .setParameter(1, activityId).getSingleResult()).longValue();
    }

    /** What a content version of a bulk action carries, in its order. */
    public List<View> ofVersion(long versionId) {
        return views("""
                SELECT a.id, a.filename, a.content_type, a.size_bytes, a.sha256
                FROM bulk_action_version_attachment va JOIN attachment a ON a.id = va.attachment_id
                WHERE va.version_id = ?1 ORDER BY va.position""", versionId);
    }

    /** Freezes an activity's current attachments into a mail job, which sends (or drafts) exactly these. */
    public void freezeForMailJob(long activityId, long mailJobId) {
        em.createNativeQuery("""
                INSERT INTO mail_job_attachment (mail_job_id, position, filename, content_type, size_bytes, sha256)
                SELECT ?1, row_number() OVER (ORDER BY id), filename, content_type, size_bytes, sha256
                FROM activity_attachment WHERE activity_id = ?2""").setParameter(1, mailJobId).setParameter(2, activityId)
                .executeUpdate();
    }

    /** The attachments a mail job froze, with their bytes (for its .eml draft). */
    public List<Content> ofMailJob(long mailJobId) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT m.filename, m.content_type, b.content FROM mail_job_attachment m JOIN content_blob b ON b.sha256 = m.sha256
                WHERE m.mail_job_id = ?1 ORDER BY m.position""", Tuple.class).setParameter(1, mailJobId).getResultList();
        return rows.stream().map(t -> new Content(t.get("filename", String.class), t.get("content_type", String.class),
                t.get("content", byte[].class))).toList();
    }

    /** Deletes the blobs among these that nothing refers to any more. */
    public void collectGarbage(Collection<String> sha256s) {
        if (sha256s.isEmpty()) {
            return;
        }
        em.createNativeQuery("""
                DELETE FROM content_blob b WHERE b.sha256 = ANY(CAST(?1 AS text[]))
                  AND NOT EXISTS (SELECT 1 FROM attachment a WHERE a.sha256 = b.sha256)
                  AND NOT EXISTS (SELECT 1 FROM activity_attachment a WHERE a.sha256 = b.sha256)
                  AND NOT EXISTS (SELECT 1 FROM mail_job_attachment a WHERE a.sha256 = b.sha256)""")
                .setParameter(1, sha256s.stream().distinct().toArray(String[]::new)).executeUpdate();
    }

    private List<View> views(String query, long id) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery(query, Tuple.class).setParameter(1, id).getResultList();
        return rows.stream().map(View::of).toList();
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
